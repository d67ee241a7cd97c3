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
        return Enumerable.Range(0, job.ArraySize).Select(task =>
        {
            var (state, node, exitCode) = states.TryGetValue(task, out var known) ? known : ("UNKNOWN", null, null);
            var (progress, fraction) = Progress(job, job.Parts[task]);
            return new ClusterTask
            {
                JobId = job.JobId, TaskId = task, Part = job.Parts[task], State = state, Node = node, ExitCode = exitCode,
                Progress = progress, Fraction = fraction, LogPath = job.LogPaths[task], OutputPath = job.OutputPath,
            };
        }).ToList();
    }

    /// <summary>How far a part has got, as its output shows: a split's epochs, or the epochs of a trial's splits.</summary>
    public static (string Text, double Fraction) Progress(ClusterJob job, int part) => job.Kind switch
    {
        "Training" => SplitProgress(job.OutputPath, part),
        // Search's SampledTrial.NameOf spells the folder; that layer is above this one.
        "RandomSearch" => TrialProgress(Path.Combine(job.OutputPath, $"trial-{part}")),
        _ => ("", 0),
    };

    private static (string, double) TrialProgress(string mapsPath)
    {
        if (!MapsFolder.Exists(mapsPath))
        {
            return ("not started", 0);
        }
        var splits = MapsFolder.Open(mapsPath).TrainedSplits.Select(s => SplitProgress(mapsPath, s)).ToList();
        var fraction = splits.Count == 0 ? 0 : splits.Average(s => s.Item2);
        return (fraction >= 1 ? "complete" : $"{fraction:P0} of its epochs", fraction);
    }

    private static (string, double) SplitProgress(string mapsPath, int split)
    {
        MapsFolder maps;
        try
        {
            maps = MapsFolder.Open(mapsPath);
        }
        catch (MapsException)
        {
            return ("no MAPS", 0);
        }
        if (!maps.FindIncompleteSplits().Contains(split))
        {
            return ("complete", 1);
        }
        var logs = maps.Split(split).TrainingLogFiles();
        var epochs = logs.Count == 0 ? 0 : logs.Min(l => TrainingLog.Read(l.Path).Rows.Count);
        var total = maps.Configuration.Epochs;
        return ($"epoch {epochs} of {total}", Math.Min(1, (double)epochs / Math.Max(1, total)));
    }
}
