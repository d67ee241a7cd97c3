namespace ClinicaDL.Core.IO;

/// <summary>
/// Replacing an output folder without ever deleting what the module did not make: a folder is replaced only when
/// it is of the expected kind (its marker is there) and holds nothing but that kind's entries; otherwise the
/// refusal names the foreign entries. The new content is swapped in by renames, so a failure at any point leaves
/// either the old or the new output whole.
/// </summary>
public static class OwnedOutput
{
    private const int NamedEntries = 20;

    /// <summary>
    /// Checks that <paramref name="folder"/> may receive a new output of <paramref name="kind"/>: absent or empty
    /// folders always may; an existing one only with <paramref name="overwrite"/> and only when it is the
    /// module's own output of that kind.
    /// </summary>
    public static void CheckReplaceable(string folder, OutputKind kind, bool overwrite, string overwriteHint = "-Overwrite")
    {
        folder = Path.GetFullPath(folder);
        if (File.Exists(folder))
        {
            throw new ForeignContentException(folder, [Path.GetFileName(folder)], $"'{folder}' is a file, not a {kind.Name} folder; choose another path.");
        }
        if (!Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            return;
        }
        if (!overwrite)
        {
            throw new OutputExistsException(folder, $"'{folder}' already exists and is not empty; choose another path, or replace the {kind.Name} with {overwriteHint}.");
        }
        CheckOwned(folder, kind);
    }

    /// <summary>Refuses a folder that is not the module's own output of <paramref name="kind"/>, naming why.</summary>
    public static void CheckOwned(string folder, OutputKind kind)
    {
        var entries = Directory.EnumerateFileSystemEntries(folder).Select(e => Path.GetFileName(e)!).Order(StringComparer.Ordinal).ToList();
        if (kind.Marker is not null && !File.Exists(Path.Combine(folder, kind.Marker)))
        {
            throw new ForeignContentException(folder, entries.Take(NamedEntries).ToList(),
                $"'{folder}' is not a {kind.Name} (it has no {kind.Marker}), so it is not replaced: nothing of it was made by this module. " +
                $"It holds: {Named(entries)}. Choose another path, or move these away yourself.");
        }
        var foreign = entries.Where(e => !kind.Owns(e)).ToList();
        if (foreign.Count > 0)
        {
            throw new ForeignContentException(folder, foreign.Take(NamedEntries).ToList(),
                $"'{folder}' is a {kind.Name} but also holds files this module did not make: {Named(foreign)}. " +
                "Nothing was deleted; move these away (or choose another path) to replace it.");
        }
    }

    /// <summary>
    /// Puts the staged folder in place of <paramref name="target"/> (checked with <see cref="CheckOwned"/> if it
    /// exists): the old output is renamed aside, the new one renamed in, then the old one removed.
    /// </summary>
    public static void Replace(string staging, string target, OutputKind kind)
    {
        target = Path.GetFullPath(target);
        if (!Directory.Exists(target))
        {
            Directory.Move(staging, target);
            return;
        }
        if (Directory.EnumerateFileSystemEntries(target).Any())
        {
            CheckOwned(target, kind);
        }
        var aside = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.old.tmp");
        Directory.Move(target, aside);
        try
        {
            Directory.Move(staging, target);
        }
        catch
        {
            Directory.Move(aside, target);
            throw;
        }
        Directory.Delete(aside, recursive: true);
    }

    /// <summary>Whether something is at <paramref name="path"/>: a file, or a folder with at least one entry.</summary>
    public static bool IsOccupied(string path) => File.Exists(path) || (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any());

    private static string Named(IReadOnlyList<string> entries) =>
        string.Join(", ", entries.Take(NamedEntries)) + (entries.Count > NamedEntries ? $" and {entries.Count - NamedEntries} more" : "");
}
