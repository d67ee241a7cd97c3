using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Generation;

/// <summary>
/// A data set folder produced whole or not at all: content is written in a hidden staging folder beside the
/// target and moved into place at the end, so a failure or a cancelled run leaves the target as it was. An
/// existing target is replaced only when asked and only when it is a synthetic data set of this module and
/// nothing else; the target is locked while written.
/// </summary>
internal sealed class OutputFolder : IDisposable
{
    private readonly OutputLock _lock;
    private bool _committed;

    public OutputFolder(string target, bool overwrite)
    {
        Target = Path.GetFullPath(target);
        _lock = OutputLock.Acquire(Target);
        try
        {
            OwnedOutput.CheckReplaceable(Target, OutputKind.SyntheticDataset, overwrite);
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
        OwnedOutput.Replace(Staging, Target, OutputKind.SyntheticDataset);
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
