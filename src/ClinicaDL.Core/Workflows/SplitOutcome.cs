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
        var bestEpoch = complete ? BestEpochs(config.SelectionMetrics, rows) : [];
        var validation = complete ? ValidationMetrics(maps.Root, split, config.SelectionMetrics[0]) : [];
        return new TrainingResult
        {
            Split = split,
            Status = !complete ? TrainingStatus.Failed : epochs < config.Epochs ? TrainingStatus.EarlyStopped : TrainingStatus.Completed,
            Message = complete ? null : failure ?? $"split {split} did not finish: Resume-ClinicaDLTraining -MapsPath '{maps.Root}' -Split {split} continues it.",
            EpochsRun = epochs, BestEpoch = new(bestEpoch), ValidationMetrics = new(validation), DurationSeconds = durationSeconds, MapsPath = maps.Root,
        };
    }

    /// <summary>The epoch kept per selection metric, by metric (and network, with multi_network), as a result names it.</summary>
    internal static Dictionary<string, int> BestEpochs(IReadOnlyList<string> selectionMetrics, IEnumerable<(int? Network, Tables.TsvTable Rows)> logs) =>
        logs.SelectMany(log => selectionMetrics.Select(m => (Key: log.Network is null ? m : $"{m} (network {log.Network})", Epoch: TrainingLog.BestEpoch(log.Rows, m))))
            .ToDictionary(e => e.Key, e => e.Epoch);

    /// <summary>The split's validation metrics of the model kept for <paramref name="selectionMetric"/>, as written in its results.</summary>
    internal static Dictionary<string, double> ValidationMetrics(string mapsRoot, int split, string selectionMetric) =>
        MapsResults.Read(mapsRoot, "validation", split, selectionMetric).FirstOrDefault()?.Values.ToDictionary(v => v.Key, v => v.Value.Value) ?? [];
}
