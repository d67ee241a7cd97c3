using System.Globalization;
using ClinicaDL.Core.Selection;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Maps;

/// <summary>
/// Reads the metrics tables of a MAPS (ClinicaDL's transposed layout, with or without CI rows): image-level ones,
/// or for a patch, slice or ROI MAPS the part-level ones.
/// </summary>
public static class MapsResults
{
    /// <param name="mapsPath">The MAPS folder.</param>
    /// <param name="dataGroup">Only this data group (all when null).</param>
    /// <param name="split">Only this split (all when null).</param>
    /// <param name="selectionMetric">Only this selection metric (all when null).</param>
    /// <param name="partLevel">The per-part tables of a patch, slice or ROI MAPS instead of the per-image ones.</param>
    public static IReadOnlyList<MapsMetricRecord> Read(string mapsPath, string? dataGroup = null, int? split = null, string? selectionMetric = null, bool partLevel = false) =>
        Query(mapsPath, dataGroup is null ? null : [dataGroup], split is null ? null : [split.Value], selectionMetric is null ? null : [selectionMetric], partLevel).Records;

    /// <summary>
    /// The records matching every filter (null: no filter), and each filter value that matched nothing. Each
    /// filter is checked within the others: a data group is missing when the asked splits and selection metrics
    /// have no results for it, and the names listed as available are those they have.
    /// </summary>
    public static MapsResultQuery Query(string mapsPath, IReadOnlyCollection<string>? dataGroups, IReadOnlyCollection<int>? splits,
        IReadOnlyCollection<string>? selectionMetrics, bool partLevel = false)
    {
        var maps = MapsFolder.Open(mapsPath);
        var level = "image";
        if (partLevel)
        {
            level = maps.Configuration.Mode;
            if (level == "image")
            {
                throw new MapsException($"'{maps.Root}' was trained on whole images: it has no part-level results.");
            }
        }
        var missing = MapsSelection.MissingSplits(maps, splits).ToList();
        var keptSplits = maps.Splits.Where(k => splits is null || splits.Contains(k)).ToList();
        var scope = splits is null ? MapsSelection.Describe(maps) : $"Split {string.Join(", ", keptSplits)} of the MAPS '{maps.Root}'";
        var metrics = keptSplits.SelectMany(k => maps.Split(k).BestMetrics().Select(m => (Split: k, Metric: m))).ToList();
        var presentMetrics = metrics.Select(m => m.Metric).Distinct().Order(StringComparer.Ordinal).ToList();
        missing.AddRange((selectionMetrics ?? []).Distinct().Where(m => !presentMetrics.Contains(m))
            .Select(m => new MissingName(NotFoundKind.SelectionMetric, m, scope, presentMetrics)));
        var tables = metrics.Where(m => selectionMetrics is null || selectionMetrics.Contains(m.Metric))
            .SelectMany(m => maps.Split(m.Split).ResultGroups(m.Metric).Select(g => (m.Split, m.Metric, Group: g)))
            .Where(t => File.Exists(maps.Split(t.Split).MetricsTable(t.Metric, t.Group, level))).ToList();
        var presentGroups = tables.Select(t => t.Group).Distinct().Order(StringComparer.Ordinal).ToList();
        missing.AddRange((dataGroups ?? []).Distinct().Where(g => !presentGroups.Contains(g))
            .Select(g => new MissingName(NotFoundKind.DataGroup, g, selectionMetrics is null ? scope : $"{scope} (best-{string.Join(", best-", selectionMetrics)})", presentGroups,
                maps.DataGroups.Contains(g) ? "The group is defined but has no results there; Invoke-ClinicaDLPrediction computes them." : null)));
        var overrides = presentGroups.ToDictionary(g => g, maps.HasLeakageOverride, StringComparer.Ordinal);
        var records = tables.Where(t => dataGroups is null || dataGroups.Contains(t.Group))
            .OrderBy(t => t.Split).ThenBy(t => t.Metric, StringComparer.Ordinal).ThenBy(t => t.Group, StringComparer.Ordinal)
            .Select(t =>
            {
                var file = maps.Split(t.Split).MetricsTable(t.Metric, t.Group, level);
                return new MapsMetricRecord
                {
                    MapsPath = maps.Root, DataGroup = t.Group, Split = t.Split, SelectionMetric = t.Metric, Level = level, Values = ReadTable(file),
                    LeakageOverride = overrides[t.Group], Path = file,
                };
            }).ToList();
        return new MapsResultQuery(records, missing);
    }

    /// <summary>A metrics table: header row of names, then Values, Lower bound CI, Upper bound CI and SE rows (the last three optional).</summary>
    public static Dictionary<string, MetricEstimate> ReadTable(string path)
    {
        var table = TsvTable.Read(path);
        var rows = table.Rows.ToDictionary(r => r[0] ?? "", r => r);
        double Cell(string row, int column) => rows.TryGetValue(row, out var cells) && double.TryParse(cells[column], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
        var values = rows.ContainsKey("Values") ? "Values" : table.Rows.Count > 0 ? table.Rows[0][0] ?? "" : "";
        var result = new Dictionary<string, MetricEstimate>();
        for (var c = 1; c < table.Columns.Count; c++)
        {
            result[table.Columns[c]] = new MetricEstimate(Cell(values, c), Cell("Lower bound CI", c), Cell("Upper bound CI", c), Cell("SE", c));
        }
        return result;
    }
}

/// <summary>What <see cref="MapsResults.Query"/> found, and each filter value that named nothing.</summary>
public sealed record MapsResultQuery(IReadOnlyList<MapsMetricRecord> Records, IReadOnlyList<MissingName> Missing);
