using System.Globalization;
using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Cluster;

/// <summary>
/// The sbatch script of one array job: its #SBATCH directives (array, log files, what each task asks for), then one
/// line that runs the job's <see cref="PartScript"/> for the part of this task. Kept beside the part script, so the
/// job can be read, resubmitted or adapted by hand.
/// </summary>
public static class BatchScript
{
    /// <summary>sbatch's --output for the tasks' logs in <paramref name="folder"/>, a '%' of the path escaped from SLURM's patterns.</summary>
    public static string OutputOption(string folder) => "--output=" + folder.Replace("%", "%%", StringComparison.Ordinal) + Path.DirectorySeparatorChar + "%A_%a.out";

    /// <summary>The SLURM log of each task: jobs/&lt;job id&gt;_&lt;task&gt;.out.</summary>
    public static string LogPath(string folder, string jobId, int task) => Path.Combine(folder, $"{jobId}_{task}.out");

    public static void Write(string path, string jobName, string description, SlurmRequest request, PartScript script, IReadOnlyList<int> parts, int throttle)
    {
        if (parts.Count == 0)
        {
            throw new ArgumentException("A job needs at least one part.");
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var array = $"0-{parts.Count - 1}" + (throttle > 0 && throttle < parts.Count ? $"%{throttle}" : "");
        var lines = new List<string>
        {
            "#!/bin/bash",
            $"# {description}",
            $"# Written {DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} by ClinicaDL for PowerShell; submitted with sbatch. Task i runs part ${{parts[i]}}.",
            $"#SBATCH --job-name={jobName}",
            $"#SBATCH --array={array}",
            // sbatch would split a path with spaces in a directive: the log pattern is given on its command line (OutputOption).
            $"# Each task's log: {Path.Combine(folder, "%A_%a.out")} (job id, task).",
            // A task requeued after preemption appends to its log instead of erasing the first attempt's.
            "#SBATCH --open-mode=append",
        };
        lines.AddRange(request.Directives().Select(d => $"#SBATCH {d}"));
        lines.Add($"parts=({string.Join(" ", parts.Select(p => p.ToString(CultureInfo.InvariantCulture)))})");
        lines.Add("echo \"task ${SLURM_ARRAY_TASK_ID}: part ${parts[$SLURM_ARRAY_TASK_ID]} on $(hostname) at $(date -u +%Y-%m-%dT%H:%M:%SZ)\"");
        // A log file, not a terminal: PowerShell writes no colour codes when NO_COLOR is set.
        lines.Add("export NO_COLOR=1");
        lines.Add("exec " + script.Launcher.CommandLine(script.Path, "\"${parts[$SLURM_ARRAY_TASK_ID]}\""));
        AtomicFile.WriteAllText(path, string.Join("\n", lines) + "\n");
    }
}
