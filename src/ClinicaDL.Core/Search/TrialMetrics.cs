using ClinicaDL.Core.Maps;

namespace ClinicaDL.Core.Search;

/// <summary>
/// A trial's validation metrics, from its MAPS' result tables: those of the model kept for <c>metric</c> when it is
/// a selection metric (its best value), else of the model kept for the first selection metric; the mean over the
/// splits that have them.
/// </summary>
public static class TrialMetrics
{
    /// <summary>The metrics by name, or an empty dictionary when the MAPS has no validation results yet.</summary>
    public static Dictionary<string, double> Read(string mapsPath, string? metric = null)
    {
        if (TryOpen(mapsPath) is not { } maps)
        {
            return [];
        }
        var selection = maps.SelectionMetrics;
        if (selection.Count == 0)
        {
            return [];
        }
        var model = metric is not null && selection.Contains(metric) ? metric : selection[0];
        var records = MapsResults.Read(mapsPath, "validation", null, model);
        return records.SelectMany(r => r.Values).GroupBy(v => v.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Average(v => v.Value.Value), StringComparer.Ordinal);
    }

    /// <summary>
    /// How a finished trial's training ended: EarlyStopped when a network of a split logged fewer epochs than the
    /// configuration asked (early stopping is the only way a finished split ends short), else Completed.
    /// </summary>
    public static string FinishedStatus(MapsFolder maps)
    {
        var epochs = maps.Configuration.Epochs;
        var logs = maps.TrainedSplits.SelectMany(s => maps.Split(s).TrainingLogFiles()).Select(f => f.Path).Where(File.Exists);
        return logs.Any(log => TrainingLog.Read(log).Rows.Count < epochs) ? TrialStatus.EarlyStopped : TrialStatus.Completed;
    }

    /// <summary>The MAPS at <paramref name="path"/>, or null when its creation has not happened (no maps.json).</summary>
    public static MapsFolder? TryOpen(string path)
    {
        try
        {
            return MapsFolder.Open(path);
        }
        catch (MapsNotFoundException)
        {
            return null;
        }
    }
}
