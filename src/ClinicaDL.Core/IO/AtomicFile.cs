namespace ClinicaDL.Core.IO;

/// <summary>
/// A file that appears whole or not at all: written under a temporary name beside its target and renamed
/// over it on <see cref="Commit"/>. Disposed without a commit (an error, a cancelled run), it leaves the
/// previous file, if any, untouched.
/// </summary>
public sealed class AtomicFile : IDisposable
{
    private readonly string _temporaryPath;
    private bool _committed;

    private AtomicFile(string path)
    {
        TargetPath = Path.GetFullPath(path);
        _temporaryPath = $"{TargetPath}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        Stream = new FileStream(_temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
    }

    public string TargetPath { get; }

    /// <summary>Where to write the content.</summary>
    public FileStream Stream { get; }

    public static AtomicFile Create(string path) => new(path);

    /// <summary>Writes a whole file atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content)
    {
        using var file = Create(path);
        file.Stream.Write(content);
        file.Commit();
    }

    /// <summary>Writes a whole UTF-8 text file (no byte-order mark) atomically.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Flushes the content to disk and puts it in place.</summary>
    public void Commit()
    {
        Stream.Flush(flushToDisk: true);
        Stream.Dispose();
        File.Move(_temporaryPath, TargetPath, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (_committed)
        {
            return;
        }
        try
        {
            // Closing flushes what is buffered: on a full disk that throws, and the temporary must still go.
            Stream.Dispose();
        }
        catch (IOException)
        {
        }
        finally
        {
            File.Delete(_temporaryPath);
        }
    }
}
