namespace ClinicaDL.PowerShell;

/// <summary>
/// The folders a cmdlet has already acted on during one pipeline. Objects piped from training or prediction
/// carry their MAPS once per split, session or metric; acting once per MAPS (and key) is what the user means.
/// </summary>
internal sealed class DistinctPaths
{
    private readonly HashSet<string> _seen = new(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

    /// <summary>True the first time a full path (with an optional key, such as a data group) comes.</summary>
    public bool FirstTime(string fullPath, string? key = null) =>
        _seen.Add(Path.TrimEndingDirectorySeparator(Path.GetFullPath(fullPath)) + (key is null ? "" : "\n" + key));
}
