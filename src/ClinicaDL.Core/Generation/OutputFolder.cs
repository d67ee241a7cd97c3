namespace ClinicaDL.Core.Generation;

/// <summary>
/// A folder produced whole or not at all: content is written in a hidden staging folder beside the target and
/// moved into place at the end, so a failure or a cancelled run leaves the target as it was.
/// </summary>
internal sealed class OutputFolder : IDisposable
{
    private bool _committed;

    public OutputFolder(string target, bool overwrite)
    {
        Target = Path.GetFullPath(target);
        if (Directory.Exists(Target) && Directory.EnumerateFileSystemEntries(Target).Any() && !overwrite)
        {
            throw new SyntheticDataException($"The output folder '{Target}' is not empty; choose another or overwrite it with -Force.");
        }
        if (File.Exists(Target))
        {
            throw new SyntheticDataException($"The output path '{Target}' is a file.");
        }
        var parent = Path.GetDirectoryName(Target)!;
        Directory.CreateDirectory(parent);
        Staging = Path.Combine(parent, $".{Path.GetFileName(Target)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(Staging);
    }

    public string Target { get; }

    /// <summary>Where to write; paths under it become paths under <see cref="Target"/>.</summary>
    public string Staging { get; }

    /// <summary>The final path of a file written at <paramref name="stagedPath"/>.</summary>
    public string Final(string stagedPath) => Path.Combine(Target, Path.GetRelativePath(Staging, stagedPath));

    public void Commit()
    {
        if (Directory.Exists(Target))
        {
            Directory.Delete(Target, recursive: true);
        }
        Directory.Move(Staging, Target);
        _committed = true;
    }

    public void Dispose()
    {
        if (!_committed && Directory.Exists(Staging))
        {
            Directory.Delete(Staging, recursive: true);
        }
    }
}
