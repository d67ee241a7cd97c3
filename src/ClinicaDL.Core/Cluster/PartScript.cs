using System.Globalization;
using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Cluster;

/// <summary>
/// The PowerShell script every part of a job runs, whoever starts it (a SLURM array task or a local child process):
/// it imports the module from where the submitting session loaded it and runs one cmdlet for the part given as
/// -Part. Kept in the output's jobs/ folder, readable, so that a part can be rerun by hand.
/// </summary>
public sealed class PartScript
{
    private PartScript(string path, PowerShellLauncher launcher) => (Path, Launcher) = (path, launcher);

    public string Path { get; }
    public PowerShellLauncher Launcher { get; }

    /// <summary>
    /// Writes the script: <paramref name="command"/> is one cmdlet call in which <c>$Part</c> is the part
    /// (a split, a trial, a chunk), with <c>$ErrorActionPreference = 'Stop'</c> so that an error fails the part.
    /// </summary>
    public static PartScript Write(string path, PowerShellLauncher launcher, string description, string command)
    {
        AtomicFile.WriteAllText(path, string.Join("\n",
        [
            $"# {description}",
            $"# Written {DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} by ClinicaDL for PowerShell. Rerun one part by hand with:",
            $"#   {launcher.CommandLine(path, "<part>")}",
            "param([Parameter(Mandatory)] [int] $Part)",
            "$ErrorActionPreference = 'Stop'",
            $"Import-Module {PowerShellLauncher.Quote(launcher.ModulePath)}",
            command,
            "",
        ]));
        return new PartScript(path, launcher);
    }
}
