using System.Globalization;
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
    public static IReadOnlyList<MapsMetricRecord> Read(string mapsPath, string? dataGroup = null, int? split = null, string? selectionMetric = null, bool partLevel = false)
    {
        var maps = new MapsLayout(mapsPath);
        if (!File.Exists(maps.MapsJson))
        {
            throw new MapsNotFoundException(maps.Root);
        }
        var level = "image";
        if (partLevel)
        {
            level = TrainingConfig.Build(maps.MapsJson, new Dictionary<string, object?>()).Mode;
            if (level == "image")
            {
                throw new MapsException($"'{maps.Root}' was trained on whole images: it has no part-level results.");
            }
        }
        var records = new List<MapsMetricRecord>();
        foreach (var k in maps.Splits().Where(k => split is null || k == split))
        {
            foreach (var best in Directory.EnumerateDirectories(maps.Split(k), "best-*").Order(StringComparer.Ordinal))
            {
                var metric = Path.GetFileName(best)[5..];
                if (selectionMetric is not null && metric != selectionMetric)
                {
                    continue;
                }
                foreach (var groupFolder in Directory.EnumerateDirectories(best).Order(StringComparer.Ordinal))
                {
                    var group = Path.GetFileName(groupFolder);
                    var file = maps.MetricsTable(k, metric, group, level);
                    if ((dataGroup is null || group == dataGroup) && File.Exists(file))
                    {
                        records.Add(new MapsMetricRecord { MapsPath = maps.Root, DataGroup = group, Split = k, SelectionMetric = metric, Level = level, Values = ReadTable(file), Path = file });
                    }
                }
            }
        }
        return records;
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
