using System.Globalization;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Cluster;

/// <summary>
/// Writes a job's scripts into the output's jobs/ folder and submits it: to SLURM as one array job (one task per
/// part), or, for local child processes, records it for <see cref="LocalParts"/> to run. Either way every part runs
/// the same part script, so a part behaves the same wherever it runs.
/// </summary>
public static class JobSubmission
{
    /// <summary>What every job needs: the output, what its parts are, and the cmdlet call each part runs (with $Part).</summary>
    public sealed record Parts(string OutputPath, string Kind, string Description, IReadOnlyList<int> Numbers, PowerShellLauncher Launcher, string Command);

    public static ClusterJob ToSlurm(Parts parts, SlurmRequest request, int throttle)
    {
        var (folder, stamp) = Prepare(parts);
        var script = PartScript.Write(Path.Combine(folder, $"{stamp}.ps1"), parts.Launcher, parts.Description, parts.Command);
        var batch = Path.Combine(folder, $"{stamp}.sh");
        BatchScript.Write(batch, $"clinicadl-{parts.Kind.ToLowerInvariant()}", parts.Description, request, script, parts.Numbers, throttle);
        var id = Slurm.Submit(batch, folder, BatchScript.OutputOption(folder));
        return Record(parts, id, Schedulers.Slurm, batch, Enumerable.Range(0, parts.Numbers.Count).Select(t => BatchScript.LogPath(folder, id, t)));
    }

    /// <summary>A job of local child processes, recorded before they start; run it with <see cref="LocalParts.Run"/>.</summary>
    public static (ClusterJob Job, PartScript Script) Locally(Parts parts)
    {
        var (folder, stamp) = Prepare(parts);
        var script = PartScript.Write(Path.Combine(folder, $"{stamp}.ps1"), parts.Launcher, parts.Description, parts.Command);
        var id = $"local-{stamp}";
        var job = Record(parts, id, Schedulers.Local, script.Path, Enumerable.Range(0, parts.Numbers.Count).Select(t => Path.Combine(folder, $"{id}_{t}.out")));
        return (job, script);
    }

    private static (string Folder, string Stamp) Prepare(Parts parts)
    {
        if (parts.Numbers.Count == 0)
        {
            throw new ArgumentException("A job needs at least one part.");
        }
        var folder = ClusterJob.Folder(parts.OutputPath);
        Directory.CreateDirectory(folder);
        // Time to the millisecond: two submissions of one output in one session get different files.
        return (folder, DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture));
    }

    private static ClusterJob Record(Parts parts, string id, string scheduler, string script, IEnumerable<string> logs)
    {
        var job = new ClusterJob
        {
            JobId = id, Scheduler = scheduler, Kind = parts.Kind, Parts = new(parts.Numbers.ToList()), OutputPath = Path.GetFullPath(parts.OutputPath),
            ScriptPath = script, LogPaths = new(logs.ToList()), Submitted = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        job.Save();
        return job;
    }
}
