namespace ClinicaDL.Core.Cluster;

/// <summary>
/// How to start PowerShell with this module in another process: the executable that runs this session (pwsh, or
/// dotnet with pwsh.dll when PowerShell is a dotnet tool) and the module manifest it loaded. On a cluster both must
/// sit on a file system every node sees, with the libtorch natives the module was installed with.
/// </summary>
public sealed record PowerShellLauncher(string Executable, IReadOnlyList<string> Prefix, string ModulePath)
{
    /// <summary>The arguments that run <paramref name="script"/> for one part.</summary>
    public IReadOnlyList<string> Arguments(string script, string part) => [.. Prefix, "-NoProfile", "-NonInteractive", "-File", script, "-Part", part];

    /// <summary>The same as one POSIX shell command line (each word single-quoted unless <paramref name="part"/> is a shell expression).</summary>
    public string CommandLine(string script, string part) =>
        string.Join(" ", new[] { Executable }.Concat(Prefix).Select(ShellQuote).Concat(["-NoProfile", "-NonInteractive", "-File", ShellQuote(script), "-Part", part]));

    /// <summary>A POSIX shell word: single quotes, a quote inside written '\''.</summary>
    public static string ShellQuote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>A PowerShell single-quoted string.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
