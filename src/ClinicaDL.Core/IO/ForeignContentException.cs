namespace ClinicaDL.Core.IO;

/// <summary>
/// Replacing an output was refused because the folder holds files the module did not make (or is not an output of
/// the kind being replaced): -Overwrite replaces the module's own outputs, never a user's files.
/// </summary>
public sealed class ForeignContentException(string path, IReadOnlyList<string> foreignEntries, string message) : IOException(message)
{
    public string Path { get; } = path;

    /// <summary>The entries (relative to <see cref="Path"/>) that made the refusal, at most a few dozen.</summary>
    public IReadOnlyList<string> ForeignEntries { get; } = foreignEntries;
}
