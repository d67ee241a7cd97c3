using ClinicaDL.Core.Cluster;
using ClinicaDL.Core.Maps;

namespace ClinicaDL.Core.Workflows;

/// <summary>
/// The tasks of a job as its scheduler sees them (SLURM's controller, or the state files of local child processes),
/// each with how far its part has got, read from the output: the epochs of a split in its training.tsv.
/// </summary>
public static class JobTasks
{
    public static IReadOnlyList<ClusterTask> Read(ClusterJob job)
    {
        var states = job.Scheduler == Schedulers.Slurm ? Slurm.States(job.JobId, job.ArraySize) : LocalParts.States(job);
        // A training's MAPS is read once for all its splits, not once per task.
        var maps = job.Kind == "Training" ? TryOpen(job.OutputPath) : null;
        return Enumerable.Range(0, job.ArraySize).Select(task =>
        {
            var (state, node, exitCode) = states.TryGetValue(task, out var known) ? known : ("UNKNOWN", null, null);
            var (progress, fraction) = job.Kind switch
            {
                "Training" => maps is null ? ("no MAPS", 0) : SplitProgress(maps, maps.FindIncompleteSplits(), job.Parts[task]),
                // Search's SampledTrial.NameOf spells the folder; that layer is above this one.
                "RandomSearch" => TrialProgress(Path.Combine(job.OutputPath, $"trial-{job.Parts[task]}")),
                _ => ("", 0d),
            };
            return new ClusterTask
            {
                JobId = job.JobId, TaskId = task, Part = job.Parts[task], State = state, Node = node, ExitCode = exitCode,
                Progress = progress, Fraction = fraction, LogPath = job.LogPaths[task], OutputPath = job.OutputPath,
            };
        }).ToList();
    }

    /// <summary>How far a trial has got: the mean share of its splits' epochs.</summary>
    private static (string, double) TrialProgress(string mapsPath)
    {
        if (TryOpen(mapsPath) is not { } maps)
        {
            return ("not started", 0);
        }
        var incomplete = maps.FindIncompleteSplits();
        var splits = maps.TrainedSplits.Select(s => SplitProgress(maps, incomplete, s)).ToList();
        var fraction = splits.Count == 0 ? 0 : splits.Average(s => s.Item2);
        return (fraction >= 1 ? "complete" : $"{fraction:P0} of its epochs", fraction);
    }

    /// <summary>How far a split has got: its epochs in training.tsv (the least advanced network's, with multi_network).</summary>
    private static (string, double) SplitProgress(MapsFolder maps, IReadOnlyList<int> incomplete, int split)
    {
        if (!incomplete.Contains(split))
        {
            return ("complete", 1);
        }
        var logs = maps.Split(split).TrainingLogFiles();
        var epochs = logs.Count == 0 ? 0 : logs.Min(l => TrainingLog.Read(l.Path).Rows.Count);
        var total = maps.Configuration.Epochs;
        return ($"epoch {epochs} of {total}", Math.Min(1, (double)epochs / Math.Max(1, total)));
    }

    private static MapsFolder? TryOpen(string mapsPath)
    {
        try
        {
            return MapsFolder.Open(mapsPath);
        }
        catch (MapsException)
        {
            return null;
        }
    }
}
