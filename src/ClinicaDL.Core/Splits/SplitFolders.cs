namespace ClinicaDL.Core.Splits;

/// <summary>
/// The split folders given to training one by one (piped splits) as the single training input ClinicaDL reads:
/// one folder as it is; the split-&lt;i&gt; folders of one k-fold folder as that folder and their indices.
/// </summary>
public static class SplitFolders
{
    public static (string TsvPath, IReadOnlyList<int>? Splits) Combine(IReadOnlyList<string> folders)
    {
        var distinct = folders.Select(f => Path.TrimEndingDirectorySeparator(Path.GetFullPath(f))).Distinct().ToList();
        if (distinct.Count == 0)
        {
            throw new ArgumentException("No split folder was given.", nameof(folders));
        }
        if (distinct.Count == 1)
        {
            return (distinct[0], null);
        }
        var parents = distinct.Select(Path.GetDirectoryName).Distinct().ToList();
        var indices = distinct.Select(f => SplitFolderName.TryParse(f, out var n) ? n : (int?)null).ToList();
        if (parents.Count > 1 || indices.Any(i => i is null))
        {
            throw new ArgumentException(
                $"The splits given ({string.Join(", ", distinct)}) are not folds of one k-fold folder; one MAPS trains the folds of one split. Train them one by one.", nameof(folders));
        }
        return (parents[0]!, indices.Select(i => i!.Value).Order().ToList());
    }
}
