namespace ClinicaDL.Core.IO;

/// <summary>Another live process holds the write lock of an output.</summary>
public sealed class OutputInUseException(string path, string holder) : IOException(
    $"'{path}' is being written by another process ({holder}); wait for it to finish or stop it. A lock left by a process that died is taken over automatically.")
{
    public string Path { get; } = path;

    public string Holder { get; } = holder;
}
