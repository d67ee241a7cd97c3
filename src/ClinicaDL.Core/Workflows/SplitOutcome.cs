using ClinicaDL.Core.Maps;

namespace ClinicaDL.Core.Workflows;

/// <summary>
/// A split's result read back from its MAPS, for a split another process trained (a local child process of
/// -ThrottleLimit): how it ended, its best epochs and the validation metrics of its first selection metric.
/// </summary>
public static class SplitOutcome
{
    /// <remarks><c>failure</c> says why the process training it failed, when it did (its log's last lines).</remarks>
    public static TrainingResult Read(MapsFolder maps, int split, double durationSeconds, string? failure)
    {
        var config = maps.Configuration;
        var folder = maps.Split(split);
        var logs = folder.TrainingLogFiles();
        var rows = logs.Select(l => (l.Network, Rows: TrainingLog.Read(l.Path))).ToList();
        var epochs = rows.Count == 0 ? 0 : rows.Max(r => r.Rows.Rows.Count);
        var complete = !maps.FindIncompleteSplits().Contains(split);
        var bestEpoch = complete
            ? rows.SelectMany(r => config.SelectionMetrics.Select(m => (Key: r.Network is null ? m : $"{m} (network {r.Network})", Epoch: TrainingLog.BestEpoch(r.Rows, m))))
                .ToDictionary(e => e.Key, e => e.Epoch)
            : [];
        var validation = complete
            ? MapsResults.Read(maps.Root, "validation", split, config.SelectionMetrics[0]).FirstOrDefault()?.Values.ToDictionary(v => v.Key, v => v.Value.Value) ?? []
            : [];
        return new TrainingResult
        {
            Split = split,
            Status = !complete ? TrainingStatus.Failed : epochs < config.Epochs ? TrainingStatus.EarlyStopped : TrainingStatus.Completed,
            Message = complete ? null : failure ?? $"split {split} did not finish: Resume-ClinicaDLTraining -MapsPath '{maps.Root}' -Split {split} continues it.",
            EpochsRun = epochs, BestEpoch = new(bestEpoch), ValidationMetrics = new(validation), DurationSeconds = durationSeconds, MapsPath = maps.Root,
        };
    }
}
