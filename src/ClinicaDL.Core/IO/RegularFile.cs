namespace ClinicaDL.Core.IO;

/// <summary>
/// Tells, without opening it, whether a path names something a reader may open. Opening a FIFO blocks until a
/// writer appears and a device can stream forever, so they must be refused before the open. .NET reports no
/// file type on Unix, but FIFOs, sockets and devices all have a size of 0 while every file this module reads
/// holds at least a header: the size, through any symbolic links, decides.
/// </summary>
public static class RegularFile
{
    /// <summary>
    /// Why the existing path must not be opened as a data file (a 0-byte file, FIFO, socket or device, or a
    /// symbolic link that loops), or null when it may be. A path that does not exist gives null: opening it
    /// reports that in the usual way.
    /// </summary>
    public static string? Defect(string path)
    {
        long? length;
        try
        {
            length = Length(path);
        }
        catch (IOException error)
        {
            return $"is a symbolic link that cannot be followed ({error.Message})";
        }
        return length == 0 ? "is empty (0 bytes) or not a regular file (a FIFO, socket or device); expected a regular file" : null;
    }

    /// <summary>
    /// The size of the file a path names, through symbolic links (FileInfo.Length of a link is the link's own
    /// size); null when nothing is there. A link that loops throws <see cref="IOException"/>.
    /// </summary>
    public static long? Length(string path)
    {
        var file = new FileInfo(path);
        if (file.LinkTarget is not null && file.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target)
        {
            file = target;
        }
        return file.Exists ? file.Length : null;
    }
}
