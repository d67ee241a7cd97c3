using System.Text.RegularExpressions;

namespace ClinicaDL.Core.Tests.Architecture;

/// <summary>
/// The engine's layers (docs/ARCHITECTURE.md): each folder of src/ClinicaDL.Core is a namespace and may use only
/// the folders of lower layers, so there is no cycle and a feature can build on a layer without pulling the ones
/// above it. The scan reads every file's using directives and qualified names (ClinicaDL.Core.X.Type, or X.Type
/// from inside the engine), comments and string literals left out.
/// </summary>
public sealed partial class LayerTests
{
    /// <summary>Lower numbers are lower layers; a folder uses only folders with a lower number.</summary>
    internal static readonly IReadOnlyDictionary<string, int> Layers = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["IO"] = 0, ["Selection"] = 0,
        ["Tables"] = 1,
        ["Runtime"] = 2, ["Cluster"] = 2,
        ["Imaging"] = 3,
        ["Datasets"] = 4,
        ["Splits"] = 5, ["Extraction"] = 5, ["Preprocessing"] = 5, ["Conversion"] = 5,
        ["Networks"] = 6, ["Augmentation"] = 6, ["Generation"] = 6,
        ["Training"] = 7,
        ["Maps"] = 8,
        ["Workflows"] = 9, ["Export"] = 9,
        ["Interpretation"] = 10, ["Search"] = 10,
        ["Reports"] = 11,
    };

    [Fact]
    public void Every_engine_folder_has_a_layer()
    {
        var folders = Directory.EnumerateDirectories(EngineSource.Engine).Select(Path.GetFileName).OfType<string>()
            .Where(f => f is not ("bin" or "obj" or "Templates")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Layers.Keys.Order(StringComparer.Ordinal), folders);
    }

    [Fact]
    public void No_engine_folder_uses_a_folder_of_its_own_layer_or_above()
    {
        var upward = Dependencies().Where(d => Layers[d.Target] >= Layers[d.Folder])
            .Select(d => $"{d.File} ({d.Folder}, layer {Layers[d.Folder]}) uses {d.Target} (layer {Layers[d.Target]})").Distinct().ToList();
        Assert.Empty(upward);
    }

    [Fact]
    public void The_scan_sees_the_dependencies_it_checks()
    {
        // An audit that examined nothing is not a pass: the known dependencies of the top layers must be found.
        var found = Dependencies().Select(d => (d.Folder, d.Target)).ToHashSet();
        Assert.Contains(("Workflows", "Maps"), found);
        Assert.Contains(("Maps", "Training"), found);
        Assert.Contains(("Training", "Augmentation"), found);
        Assert.Contains(("Reports", "Interpretation"), found);
    }

    /// <summary>Only the MAPS object reads a MAPS' maps.json (and the skeleton writes it): nowhere else is a MAPS opened.</summary>
    [Fact]
    public void Only_the_maps_object_opens_a_maps()
    {
        var allowed = new[] { "MapsLayout.cs", "MapsFolder.cs", "MapsSkeleton.cs" };
        var source = Path.Combine(EngineSource.Repository, "src");
        var offenders = EngineSource.Files(source).Where(f => !allowed.Contains(Path.GetFileName(f)))
            .Where(f => WithoutCommentsAndStrings(File.ReadAllText(f)).Contains(".MapsJson", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(source, f)).ToList();
        Assert.Empty(offenders);
    }

    private static IEnumerable<(string File, string Folder, string Target)> Dependencies()
    {
        var engine = EngineSource.Engine;
        var folders = string.Join('|', Layers.Keys);
        var qualified = new Regex($@"(?<![\w.])(?:ClinicaDL\.Core\.)?({folders})\.(?=[A-Z])");
        var usingDirective = new Regex($@"^\s*using\s+(?:static\s+)?ClinicaDL\.Core\.({folders})\b", RegexOptions.Multiline);
        foreach (var file in EngineSource.Files(engine))
        {
            var folder = Path.GetRelativePath(engine, file).Split(Path.DirectorySeparatorChar)[0];
            if (!Layers.ContainsKey(folder))
            {
                continue;
            }
            var text = WithoutCommentsAndStrings(File.ReadAllText(file));
            var body = NamespaceLine().Replace(text, "");
            foreach (var target in usingDirective.Matches(text).Concat(qualified.Matches(body)).Select(m => m.Groups[1].Value).Distinct())
            {
                if (target != folder)
                {
                    yield return (Path.GetRelativePath(engine, file), folder, target);
                }
            }
        }
    }

    private static string WithoutCommentsAndStrings(string code) => StringLiteral().Replace(LineComment().Replace(code, ""), "\"\"");

    [GeneratedRegex(@"//.*$", RegexOptions.Multiline)]
    private static partial Regex LineComment();

    [GeneratedRegex(@"@?\$?""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"^\s*namespace\s+[\w.]+;", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();
}
