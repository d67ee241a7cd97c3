using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// How several processes preprocess into one CAPS: each image's output folder (subjects/sub-X/ses-Y/t1_linear) has
/// its own <see cref="OutputLock"/>, held while the image is checked and written, so a second process on the same
/// image is refused with the holder's name while the other images go on; what belongs to the whole CAPS
/// (dataset_description.json, and the participant and session folders the image locks sit in) is changed only under
/// the CAPS' lock, held for a moment and waited for. Folders an image's lock made are removed again when the image
/// wrote nothing (a failed image leaves nothing), under the CAPS' lock too, so no process removes a folder another
/// has just made for its own image.
/// </summary>
public sealed class CapsImageLock : IDisposable
{
    /// <summary>How long a process waits for the CAPS' lock, held by another only while it makes folders or a shared file.</summary>
    private static readonly TimeSpan SharedWait = TimeSpan.FromMinutes(2);

    private readonly OutputLock _image;
    private readonly string _caps;
    private readonly IReadOnlyList<string> _madeFolders;
    private readonly Action<string>? _log;
    private bool _released;

    private CapsImageLock(OutputLock image, string caps, IReadOnlyList<string> madeFolders, Action<string>? log)
    {
        _image = image;
        _caps = caps;
        _madeFolders = madeFolders;
        _log = log;
    }

    /// <summary>
    /// The CAPS' own lock, for its shared files and folders: waits while another process holds it, then throws
    /// <see cref="OutputInUseException"/> naming the holder.
    /// </summary>
    public static OutputLock Shared(string caps, Action<string>? log) => OutputLock.Acquire(caps, log, SharedWait);

    /// <summary>
    /// Takes the lock of the image folder <paramref name="folder"/> inside <paramref name="caps"/> (an existing folder),
    /// or throws <see cref="OutputInUseException"/> naming the process that holds it.
    /// </summary>
    public static CapsImageLock Acquire(string caps, string folder, Action<string>? log)
    {
        using var shared = Shared(caps, log);
        var parent = Path.GetDirectoryName(Path.GetFullPath(folder))!;
        var made = new List<string>();
        for (var missing = parent; !Directory.Exists(missing); missing = Path.GetDirectoryName(missing)!)
        {
            made.Add(missing);
        }
        Directory.CreateDirectory(parent);
        try
        {
            return new CapsImageLock(OutputLock.Acquire(folder, log), caps, made, log);
        }
        catch
        {
            RemoveEmpty(made);
            throw;
        }
    }

    public void Dispose()
    {
        if (_released)
        {
            return;
        }
        _released = true;
        _image.Dispose();
        if (_madeFolders.Count == 0 || !IsEmpty(_madeFolders[0]))
        {
            return;
        }
        try
        {
            using var shared = Shared(_caps, _log);
            RemoveEmpty(_madeFolders);
        }
        catch (OutputInUseException)
        {
            // The CAPS stayed busy: empty folders are left, harmless to every reader of a CAPS.
        }
    }

    /// <summary>Removes the folders, deepest first, while they are empty.</summary>
    private static void RemoveEmpty(IReadOnlyList<string> folders)
    {
        foreach (var folder in folders)
        {
            if (!IsEmpty(folder))
            {
                return;
            }
            try
            {
                Directory.Delete(folder);
            }
            catch (IOException)
            {
                return;
            }
        }
    }

    private static bool IsEmpty(string folder) => Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any();
}
