using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Interpretation;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Reports;

/// <summary>
/// The pictures of a MAPS and one self-contained report.html: learning curves and the learning rate per split,
/// confusion matrix and ROC curve (or true against predicted values) of every data group, saliency overlays of
/// every interpretation, and the configuration, data groups, metrics with confidence intervals, leakage overrides
/// and environment.
/// </summary>
public static class MapsReport
{
    public const string ReportFile = "report.html";

    public static MapsReportResult Write(string mapsPath, string outputPath, IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        var folder = MapsFolder.Open(mapsPath);
        var maps = folder.Layout;
        using var writing = OutputLock.Acquire(outputPath, message => progress?.Report(message));
        Directory.CreateDirectory(outputPath);
        var json = folder.Description;
        var info = MapsInfo.Read(folder);
        var classification = info.Task == TrainingTask.Classification.Name;
        var labels = classification
            ? json["label_code"]!.AsObject().OrderBy(p => p.Value!.GetValue<int>()).Select(p => p.Key).ToArray()
            : [];
        var sections = new List<(string Title, List<string> Images)>();
        var images = new List<string>();
        string Image(List<string> section, string name)
        {
            var path = Path.Combine(outputPath, name);
            section.Add(path);
            images.Add(path);
            return path;
        }

        foreach (var split in info.Splits)
        {
            cancellation.ThrowIfCancellationRequested();
            progress?.Report($"split {split}: learning curves");
            var curves = new List<string>();
            foreach (var (network, logPath) in maps.Split(split).TrainingLogFiles())
            {
                var log = TrainingLog.Read(logPath);
                var (name, title) = network is null ? ($"split-{split}", $"Split {split}") : ($"split-{split}_network-{network}", $"Split {split}, network {network}");
                var epochs = Column(log, "epoch");
                foreach (var metric in new[] { "loss" }.Concat(info.SelectionMetrics.Where(m => m != "loss")).Distinct())
                {
                    if (!log.HasColumn($"{metric}_train"))
                    {
                        continue;
                    }
                    int? best = log.Rows.Count > 0 && info.SelectionMetrics.Contains(metric) ? TrainingLog.BestEpoch(log, metric) : null;
                    ReportCharts.LearningCurve(Image(curves, $"{name}_{metric}.png"), $"{title}: {metric}", metric, epochs,
                        Column(log, $"{metric}_train"), Column(log, $"{metric}_valid"), best);
                }
                if (log.HasColumn(TrainingLog.LearningRateColumn))
                {
                    // Logs written by ClinicaDL have no such column.
                    ReportCharts.LearningRateCurve(Image(curves, $"{name}_learning_rate.png"), $"{title}: learning rate", epochs, Column(log, TrainingLog.LearningRateColumn));
                }
            }
            sections.Add(($"Split {split}: training", curves));
            foreach (var metric in info.SelectionMetrics)
            {
                foreach (var group in info.DataGroups.Concat(["train", "validation"]).Distinct())
                {
                    var predictions = maps.Split(split).Predictions(metric, group);
                    if (!File.Exists(predictions))
                    {
                        continue;
                    }
                    progress?.Report($"split {split}, best-{metric}, {group}: results");
                    var pictures = new List<string>();
                    var table = TsvTable.Read(predictions);
                    var stem = $"split-{split}_best-{metric}_{group}";
                    if (classification && table.HasColumn("true_label"))
                    {
                        var truth = table.Rows.Select(r => int.Parse(r[table.IndexOf("true_label")]!, CultureInfo.InvariantCulture)).ToArray();
                        var predicted = table.Rows.Select(r => int.Parse(r[table.IndexOf("predicted_label")]!, CultureInfo.InvariantCulture)).ToArray();
                        var counts = new int[labels.Length, labels.Length];
                        for (var i = 0; i < truth.Length; i++)
                        {
                            counts[truth[i], predicted[i]]++;
                        }
                        ReportCharts.ConfusionMatrix(Image(pictures, $"{stem}_confusion.png"), $"Split {split}, best-{metric}: {group}", labels, counts);
                        if (labels.Length == 2 && table.HasColumn("proba1"))
                        {
                            var scores = Column(table, "proba1");
                            var (fpr, tpr) = ReportCharts.RocPoints(truth.Select(t => t == 1).ToArray(), scores);
                            // The area is the one the metrics table reports, not a second computation of it; ClinicaDL's
                            // own tables report none, and the curve is then drawn without it.
                            double? auc = MapsResults.ReadTable(maps.Split(split).MetricsTable(metric, group)).TryGetValue("AUC", out var area) ? area.Value : null;
                            ReportCharts.Roc(Image(pictures, $"{stem}_roc.png"), $"Split {split}, best-{metric}: {group} ({labels[1]} positive)", fpr, tpr, auc);
                        }
                    }
                    else if (!classification && table.HasColumn("true_label"))
                    {
                        ReportCharts.TrueVersusPredicted(Image(pictures, $"{stem}_values.png"), $"Split {split}, best-{metric}: {group}",
                            Column(table, "true_label"), Column(table, "predicted_label"));
                    }
                    foreach (var interpretation in Directory.EnumerateDirectories(maps.Split(split).Results(metric, group), "interpret-*").Order(StringComparer.Ordinal))
                    {
                        var mapFile = Path.Combine(interpretation, Interpreter.MeanMapName + ".nii.gz");
                        var inputFile = Path.Combine(interpretation, Interpreter.MeanInputName + ".nii.gz");
                        if (!File.Exists(mapFile) || !File.Exists(inputFile))
                        {
                            continue;
                        }
                        progress?.Report($"split {split}, best-{metric}, {group}: {Path.GetFileName(interpretation)}");
                        var map = NiftiReader.ReadSingle(mapFile, out var header);
                        var input = NiftiReader.ReadSingle(inputFile, out _);
                        SaliencyOverlay.Write(Image(pictures, $"{stem}_{Path.GetFileName(interpretation)}.png"), input, map, header.Shape.Select(s => (int)s).ToArray(),
                            NiftiAffine.Best(header), OverlayTitle(interpretation, split, metric, group));
                    }
                    sections.Add(($"Split {split}, best-{metric}: {group}", pictures));
                }
            }
        }
        progress?.Report("report.html");
        var reportPath = Path.Combine(outputPath, ReportFile);
        AtomicFile.WriteAllText(reportPath, Html(maps, info, json, sections));
        return new MapsReportResult { MapsPath = maps.Root, ReportPath = Path.GetFullPath(reportPath), Images = new(images.Select(Path.GetFullPath)) };
    }

    /// <summary>
    /// What an interpretation's mean map shows, from its interpretation.json: the data group, how many sessions were
    /// averaged (the mean map has no single participant), the model, the method and the target.
    /// </summary>
    private static string OverlayTitle(string interpretation, int split, string metric, string group)
    {
        var settingsFile = Path.Combine(interpretation, Interpreter.SettingsFile);
        var settings = File.Exists(settingsFile) ? JsonNode.Parse(File.ReadAllText(settingsFile))!.AsObject() : [];
        var sessions = settings["sessions"]?.GetValue<int>() is { } count ? $"mean of {count} session{(count == 1 ? "" : "s")}" : "mean map";
        var method = settings["method"]?.GetValue<string>() ?? Path.GetFileName(interpretation)["interpret-".Length..];
        var target = settings["target_label"]?.GetValue<string>() is { } label ? $", target {label}" : "";
        return $"{group}, {sessions}: {method}{target} (split {split}, best-{metric})";
    }

    private static double[] Column(TsvTable table, string column)
    {
        var index = table.IndexOf(column);
        return table.Rows.Select(r => double.TryParse(r[index], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN).ToArray();
    }

    private static string Html(MapsLayout maps, MapsInfo info, JsonObject json, List<(string Title, List<string> Images)> sections)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>MAPS report: ").Append(E(Path.GetFileName(maps.Root))).Append("</title>\n")
            .Append("<style>body{font-family:sans-serif;margin:2em;max-width:1400px}table{border-collapse:collapse;margin:1em 0}")
            .Append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;overflow-wrap:anywhere}th{background:#eee}img{margin:4px;border:1px solid #ddd;max-width:100%}")
            .Append("table.metrics td:nth-child(n+4),table.metrics th:nth-child(n+4){text-align:right;white-space:nowrap}.ci{font-size:80%;color:#555}details{margin:1em 0}")
            .Append(".warning{background:#fdd;padding:1em;border:1px solid #c00}pre{background:#f6f6f6;padding:1em;overflow:auto}</style></head><body>\n");
        html.Append("<h1>MAPS report</h1><p>").Append(E(maps.Root)).Append("</p>\n<table>");
        foreach (var (key, value) in new[]
        {
            ("task", info.Task), ("architecture", info.Architecture), ("splits", string.Join(", ", info.Splits)),
            ("selection metrics", string.Join(", ", info.SelectionMetrics)), ("seed", info.Seed.ToString(CultureInfo.InvariantCulture)),
            ("input size", string.Join("x", info.InputSize)), ("participants seen in training", info.ParticipantsSeenInTraining.ToString(CultureInfo.InvariantCulture)),
            ("data groups", string.Join(", ", info.DataGroups)),
        })
        {
            html.Append("<tr><th>").Append(E(key)).Append("</th><td>").Append(E(value)).Append("</td></tr>");
        }
        html.Append("</table>\n");
        if (info.LeakageOverrides.Count > 0)
        {
            html.Append("<p class=\"warning\">Data leakage overrides: the groups ").Append(E(string.Join(", ", info.LeakageOverrides)))
                .Append(" hold participants seen in training and were evaluated with -Force. Their results are biased.</p>\n");
        }
        html.Append("<h2>Data groups</h2><table><tr><th>group</th><th>split</th><th>participants</th><th>sessions</th></tr>");
        foreach (var (group, split, path) in DataTables(maps, info))
        {
            var table = TsvTable.Read(path);
            var participants = table.Rows.Select(r => r[table.IndexOf("participant_id")]).Distinct().Count();
            html.Append("<tr><td>").Append(E(group)).Append("</td><td>").Append(E(split)).Append("</td><td>").Append(participants)
                .Append("</td><td>").Append(table.Rows.Count).Append("</td></tr>");
        }
        html.Append("</table>\n<h2>Metrics</h2>");
        var records = MapsResults.Read(maps.Root)
            .OrderBy(r => r.DataGroup, StringComparer.Ordinal).ThenBy(r => r.Split).ThenBy(r => r.SelectionMetric, StringComparer.Ordinal).ToList();
        var tables = MetricTables(info.SelectionMetrics, records.SelectMany(r => r.Values.Keys));
        html.Append("<p>Each cell: the value, and below it its 95% bootstrap confidence interval. The selection metrics come first.</p>\n");
        foreach (var (columns, index) in tables.Select((columns, index) => (columns, index)))
        {
            // The first table is always shown; the others, which would not fit beside it, open on demand.
            if (index > 0)
            {
                html.Append("<details><summary>More metrics: ").Append(E(string.Join(", ", columns))).Append("</summary>");
            }
            MetricsTable(html, records, columns);
            if (index > 0)
            {
                html.Append("</details>\n");
            }
        }
        foreach (var (title, images) in sections.Where(s => s.Images.Count > 0))
        {
            html.Append("<h2>").Append(E(title)).Append("</h2><div>");
            foreach (var image in images)
            {
                html.Append("<img alt=\"").Append(E(Path.GetFileName(image))).Append("\" title=\"").Append(E(Path.GetFileName(image)))
                    .Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(File.ReadAllBytes(image))).Append("\">");
            }
            html.Append("</div>\n");
        }
        html.Append("<h2>Configuration (maps.json)</h2><table>");
        foreach (var (key, value) in json)
        {
            html.Append("<tr><th>").Append(E(key)).Append("</th><td>").Append(E(value?.ToJsonString())).Append("</td></tr>");
        }
        html.Append("</table>\n<h2>Environment</h2><pre>")
            .Append(E(File.Exists(maps.Environment) ? File.ReadAllText(maps.Environment) : "(no environment.txt)")).Append("</pre>\n</body></html>\n");
        return html.ToString();
    }

    /// <summary>
    /// At most this many metric columns in one table: with the group, split and selection columns and a value over
    /// its interval in each cell, a table of 8 metrics fits a 1280-pixel window without a horizontal scroll bar.
    /// </summary>
    public const int MetricsPerTable = 8;

    /// <summary>The order of metrics after the selection metrics: the summary figures first, then their parts, then the rest.</summary>
    private static readonly string[] MetricOrder =
        ["BA", "AUC", "sensitivity", "specificity", "accuracy", "F1_score", "PPV", "NPV", "MCC", "MK", "LR_plus", "LR_minus",
         "R2_score", "MAE", "RMSE", "PSNR", "SSIM", "loss"];

    /// <summary>
    /// The metric columns of the report's tables: the selection metrics the user chose, in their order, then the others
    /// in <see cref="MetricOrder"/> (unknown ones, such as per-class metrics, last by name), cut into tables of at most
    /// <see cref="MetricsPerTable"/>.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> MetricTables(IEnumerable<string> selectionMetrics, IEnumerable<string> metrics)
    {
        var present = metrics.ToHashSet(StringComparer.Ordinal);
        return selectionMetrics.Where(present.Contains)
            .Concat(MetricOrder.Where(present.Contains))
            .Concat(present.Where(m => !MetricOrder.Contains(m)).Order(StringComparer.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Chunk(MetricsPerTable).ToList<IReadOnlyList<string>>();
    }

    private static void MetricsTable(StringBuilder html, IReadOnlyList<MapsMetricRecord> records, IReadOnlyList<string> metrics)
    {
        static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
        html.Append("<table class=\"metrics\"><tr><th>group</th><th>split</th><th>selection</th>");
        foreach (var metric in metrics)
        {
            html.Append("<th>").Append(E(metric)).Append("</th>");
        }
        html.Append("</tr>");
        foreach (var record in records)
        {
            html.Append("<tr><td>").Append(E(record.DataGroup)).Append("</td><td>").Append(record.Split).Append("</td><td>").Append(E(record.SelectionMetric)).Append("</td>");
            foreach (var metric in metrics)
            {
                html.Append("<td>");
                if (record.Values.TryGetValue(metric, out var estimate))
                {
                    html.Append(F(estimate.Value));
                    if (!double.IsNaN(estimate.Lower))
                    {
                        html.Append("<br><span class=\"ci\">[").Append(F(estimate.Lower)).Append(", ").Append(F(estimate.Upper)).Append("]</span>");
                    }
                }
                html.Append("</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</table>\n");
    }

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static IEnumerable<(string Group, string Split, string Path)> DataTables(MapsLayout maps, MapsInfo info)
    {
        foreach (var group in new[] { "train", "validation" })
        {
            foreach (var split in info.Splits)
            {
                var path = Path.Combine(maps.GroupSplit(group, split), "data.tsv");
                if (File.Exists(path))
                {
                    yield return (group, split.ToString(CultureInfo.InvariantCulture), path);
                }
            }
        }
        foreach (var group in info.DataGroups.Where(g => g is not "train" and not "validation"))
        {
            var path = maps.GroupData(group);
            if (File.Exists(path))
            {
                yield return (group, "all", path);
            }
        }
    }
}
