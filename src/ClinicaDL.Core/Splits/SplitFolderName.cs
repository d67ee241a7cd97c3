using System.Globalization;

namespace ClinicaDL.Core.Splits;

/// <summary>
/// split-&lt;k&gt;: the name ClinicaDL gives the folder of split k, in a k-fold folder of TSV files and in a MAPS
/// (split-&lt;k&gt;/ and groups/&lt;group&gt;/split-&lt;k&gt;/) alike.
/// </summary>
public static class SplitFolderName
{
    /// <summary>The search pattern of split folders.</summary>
    public const string Pattern = "split-*";

    public static string Of(int split) => $"split-{split.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The split number of a folder name (a path's last part), when it is split-&lt;k&gt;.</summary>
    public static bool TryParse(string? folder, out int split)
    {
        split = -1;
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder ?? ""));
        return name.StartsWith("split-", StringComparison.Ordinal) && int.TryParse(name.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out split);
    }

    /// <summary>The split folders directly inside <paramref name="folder"/>, by split number.</summary>
    public static IReadOnlyList<(int Split, string Path)> In(string folder) => Directory.Exists(folder)
        ? Directory.EnumerateDirectories(folder, Pattern).Select(d => (Ok: TryParse(d, out var k), Split: k, Path: d)).Where(f => f.Ok)
            .OrderBy(f => f.Split).Select(f => (f.Split, f.Path)).ToList()
        : [];
}
