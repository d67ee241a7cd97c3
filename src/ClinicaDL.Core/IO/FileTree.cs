namespace ClinicaDL.Core.IO;

/// <summary>
/// Walks the folder trees of datasets (BIDS, CAPS, split trees) without being fooled by symbolic links:
/// .NET's recursive enumeration follows links to folders, so a folder linking to itself (or to an ancestor)
/// made a walk endless while its memory grew, and a session linking to another session became a second copy
/// of the same images. Every walk over a user's tree goes through here.
/// </summary>
public static class FileTree
{
    /// <summary>
    /// The files under <paramref name="root"/> (at any depth) whose name matches <paramref name="searchPattern"/>
    /// (<c>*</c> and <c>?</c>, as <see cref="Directory.EnumerateFiles(string, string)"/>). Links to files are
    /// listed; links to folders are not entered, and are added to <paramref name="skippedLinks"/> so the caller
    /// can say so. An unreadable folder throws, for the caller to report.
    /// </summary>
    public static IEnumerable<string> Files(string root, string searchPattern, ICollection<string>? skippedLinks = null)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var folder = pending.Pop();
            foreach (var file in Directory.EnumerateFiles(folder, searchPattern))
            {
                yield return file;
            }
            foreach (var child in Directory.EnumerateDirectories(folder))
            {
                if (IsLink(child))
                {
                    skippedLinks?.Add(child);
                    continue;
                }
                pending.Push(child);
            }
        }
    }

    /// <summary>
    /// The folder a path really names once its last component's chain of links is followed (the path itself
    /// when it is no link): two dataset folders with the same identity hold the same files.
    /// </summary>
    public static string Identity(string folder)
    {
        var info = new DirectoryInfo(folder);
        var target = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(target.FullName));
    }

    private static bool IsLink(string path) => new DirectoryInfo(path).LinkTarget is not null;
}
