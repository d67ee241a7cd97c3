namespace ClinicaDL.Core.IO;

/// <summary>
/// An output folder (a MAPS, a synthetic data set) produced whole or not at all: content is written in a hidden
/// staging folder beside the target and moved into place at the end, so a failure or a cancelled run leaves the
/// target as it was. An existing target is replaced only when asked and only when it is the module's own output
/// of that kind and nothing else (<see cref="OwnedOutput"/>); the target is locked while written.
/// </summary>
public sealed class StagedOutput : IDisposable
{
    private readonly OutputKind _kind;
    private readonly OutputLock _lock;
    private bool _committed;

    public StagedOutput(string target, OutputKind kind, bool overwrite)
    {
        Target = Path.GetFullPath(target);
        _kind = kind;
        _lock = OutputLock.Acquire(Target);
        try
        {
            OwnedOutput.CheckReplaceable(Target, kind, overwrite);
            var parent = Path.GetDirectoryName(Target)!;
            Directory.CreateDirectory(parent);
            Staging = Path.Combine(parent, $".{Path.GetFileName(Target)}.{Guid.NewGuid():N}.tmp");
            Directory.CreateDirectory(Staging);
        }
        catch
        {
            _lock.Dispose();
            throw;
        }
    }

    public string Target { get; }

    /// <summary>Where to write; paths under it become paths under <see cref="Target"/>.</summary>
    public string Staging { get; } = "";

    /// <summary>The final path of a file written at <paramref name="stagedPath"/>.</summary>
    public string Final(string stagedPath) => Path.Combine(Target, Path.GetRelativePath(Staging, stagedPath));

    public void Commit()
    {
        OwnedOutput.Replace(Staging, Target, _kind);
        _committed = true;
    }

    public void Dispose()
    {
        if (!_committed && Directory.Exists(Staging))
        {
            Directory.Delete(Staging, recursive: true);
        }
        _lock.Dispose();
    }
}
