using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Search;

/// <summary>
/// The trials of a search folder ranked by a validation metric: by default the trials' first selection metric;
/// lower is better for the loss, MAE, RMSE and LR_minus, higher for the others. Trials without a value (not
/// finished, failed) come last, unranked.
/// </summary>
public static class SearchRanking
{
    public static IReadOnlyList<RankedTrial> Rank(string searchPath, string? metric = null)
    {
        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(searchPath));
        var state = SearchState.Read(folder);
        var rankedBy = metric ?? FirstSelectionMetric(state);
        var lowerIsBetter = Training.Metrics.LowerIsBetter(rankedBy);
        var rows = state.Trials.Select(trial =>
        {
            var maps = Path.Combine(folder, trial.Name);
            var status = Status(maps);
            var values = TrialMetrics.Read(maps, rankedBy);
            return (Trial: trial, Maps: maps, Status: status, Values: values, Value: values.GetValueOrDefault(rankedBy, double.NaN));
        }).ToList();
        var known = rows.SelectMany(r => r.Values.Keys).Distinct().ToList();
        if (metric is not null && known.Count > 0 && !known.Contains(metric))
        {
            throw new ArgumentException($"-Metric: the trials of '{folder}' have no validation metric '{metric}'; they have {string.Join(", ", known)}.", nameof(metric));
        }
        var ordered = rows.Where(r => !double.IsNaN(r.Value))
            .OrderBy(r => lowerIsBetter ? r.Value : -r.Value).ThenBy(r => r.Trial.Index)
            .Concat(rows.Where(r => double.IsNaN(r.Value)).OrderBy(r => r.Trial.Index)).ToList();
        return ordered.Select((r, i) => new RankedTrial
        {
            Place = double.IsNaN(r.Value) ? null : i + 1, Trial = r.Trial.Index, Name = r.Trial.Name, Metric = rankedBy, Value = r.Value, Status = r.Status,
            SampledValues = r.Trial.Readable(), ValidationMetrics = new ReadableDictionary<double>(r.Values), MapsPath = r.Maps, SearchPath = folder,
        }).ToList();
    }

    /// <summary>The first selection metric of the search's train configuration (ClinicaDL's default: loss).</summary>
    private static string FirstSelectionMetric(SearchState state) =>
        state.Trials.FirstOrDefault()?.Configuration["selection_metrics"] is System.Text.Json.Nodes.JsonArray { Count: > 0 } metrics
            ? metrics[0]!.GetValue<string>()
            : state.Trials.FirstOrDefault()?.Configuration["selection_metrics"] is System.Text.Json.Nodes.JsonValue single ? single.GetValue<string>() : "loss";

    /// <summary>A trial's status from its MAPS: finished (Completed or EarlyStopped), Incomplete or NotStarted.</summary>
    private static string Status(string maps)
    {
        if (TrialMetrics.TryOpen(maps) is not { } opened)
        {
            return Directory.Exists(maps) ? TrialStatus.Incomplete : TrialStatus.NotStarted;
        }
        return opened.FindIncompleteSplits().Count == 0 ? TrialMetrics.FinishedStatus(opened) : TrialStatus.Incomplete;
    }
}
