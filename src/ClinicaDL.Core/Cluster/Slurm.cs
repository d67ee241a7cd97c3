using System.ComponentModel;
using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Cluster;

/// <summary>
/// SLURM through its own commands (sbatch, scontrol, sacct, scancel), as a user on a login node runs them: no
/// library, no daemon of ours. A missing command or a refusal by SLURM is an error naming the command and what it said.
/// </summary>
public static class Slurm
{
    /// <summary>Whether sbatch can be run here.</summary>
    public static bool IsAvailable => ExternalCommand.FindOnPath("sbatch") is not null;

    /// <summary>Submits the batch script, with options given on the command line (each one argument, paths with spaces whole), and returns the job id.</summary>
    public static string Submit(string batchScript, string workingDirectory, params string[] options)
    {
        var (code, output, error) = Run("sbatch", ["--parsable", $"--chdir={workingDirectory}", .. options, batchScript]);
        var id = output.Trim().Split(';')[0];
        if (code != 0 || id.Length == 0 || !id.All(char.IsAsciiDigit))
        {
            throw new ClusterException($"sbatch refused '{batchScript}' (exit code {code}): {(error + output).Trim()}");
        }
        return id;
    }

    /// <summary>
    /// Each task's state, node and exit code (scontrol while the controller remembers the job, then sacct); a task
    /// neither knows is UNKNOWN.
    /// </summary>
    public static IReadOnlyDictionary<int, (string State, string? Node, string? ExitCode)> States(string jobId, int arraySize)
    {
        var states = new Dictionary<int, (string, string?, string?)>();
        var (code, output, _) = Run("scontrol", ["show", "job", "-o", jobId]);
        if (code == 0)
        {
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(f => f.Split('=', 2)).Where(f => f.Length == 2)
                    .GroupBy(f => f[0]).ToDictionary(g => g.Key, g => g.First()[1]);
                if (fields.TryGetValue("ArrayTaskId", out var tasks) && fields.TryGetValue("JobState", out var state))
                {
                    var node = fields.GetValueOrDefault("NodeList") is { } n && n != "(null)" ? n : null;
                    foreach (var task in TaskRange(tasks, arraySize))
                    {
                        states[task] = (state, node, state == "PENDING" || state == "RUNNING" ? null : fields.GetValueOrDefault("ExitCode"));
                    }
                }
            }
        }
        if (states.Count < arraySize && ExternalCommand.FindOnPath("sacct") is not null)
        {
            var (sacctCode, sacct, _) = Run("sacct", ["-n", "-P", "-X", "-j", jobId, "--format=JobID,State,NodeList,ExitCode"]);
            foreach (var fields in sacctCode == 0 ? sacct.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')) : [])
            {
                var task = fields[0].Split('_');
                foreach (var index in task.Length == 2 && fields.Length >= 4 ? TaskRange(task[1].Trim('[', ']'), arraySize) : [])
                {
                    // sacct says "CANCELLED by 0": the state is its first word.
                    states.TryAdd(index, (fields[1].Split(' ')[0], fields[2] is "" or "None assigned" ? null : fields[2], fields[3]));
                }
            }
        }
        return states;
    }

    /// <summary>Cancels every task of the job that has not ended.</summary>
    public static void Cancel(string jobId)
    {
        var (code, output, error) = Run("scancel", [jobId]);
        if (code != 0)
        {
            throw new ClusterException($"scancel {jobId} failed (exit code {code}): {(error + output).Trim()}");
        }
    }

    /// <summary>"3", "0-7", "0-7%2", "1,3,5-6": the array indices a scontrol or sacct record stands for.</summary>
    internal static IEnumerable<int> TaskRange(string text, int arraySize)
    {
        foreach (var item in text.Split('%')[0].Split(','))
        {
            var bounds = item.Split('-');
            if (bounds.Length == 1 && int.TryParse(bounds[0], out var single))
            {
                yield return single;
            }
            else if (bounds.Length == 2 && int.TryParse(bounds[0], out var first) && int.TryParse(bounds[1], out var last))
            {
                for (var i = first; i <= Math.Min(last, arraySize - 1); i++)
                {
                    yield return i;
                }
            }
        }
    }

    private static (int Code, string Output, string Error) Run(string command, IReadOnlyList<string> arguments)
    {
        try
        {
            var run = ExternalCommand.Run(command, arguments);
            return (run.ExitCode, run.Output, run.Error);
        }
        catch (Win32Exception)
        {
            throw new ClusterException($"'{command}' was not found: SLURM's commands must be on the PATH (-Scheduler Slurm runs on a cluster's login node, or any machine of a SLURM cluster).");
        }
    }
}
