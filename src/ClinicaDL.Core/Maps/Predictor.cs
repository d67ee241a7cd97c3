using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.Networks;
using ClinicaDL.Core.Runtime;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Maps;

/// <summary>
/// ClinicaDL's <c>predict</c>: evaluates a MAPS' best models on a data group and writes its results. A new group
/// holding a participant of groups/train+validation.tsv is refused (data leakage) unless forced, and a forced
/// evaluation is recorded in the group's maps.json and in every result, never silent.
/// </summary>
public static class Predictor
{
    public static IReadOnlyList<PredictionRow> Predict(PredictionOptions options, Action<string>? log = null, CancellationToken cancellation = default)
    {
        var maps = new MapsLayout(options.MapsPath);
        if (!File.Exists(maps.MapsJson))
        {
            throw new MapsException($"'{maps.Root}' is not a MAPS: it has no maps.json.");
        }
        if (options.DataGroup is "train" or "validation")
        {
            throw new MapsException($"The {options.DataGroup} data group is written by training and cannot be redefined; choose another group name.");
        }
        var config = TrainingConfig.Build(maps.MapsJson, new Dictionary<string, object?>());
        var (capsPath, table, leakage) = DefineGroup(maps, options, config);
        var samples = DataGroup.FromTsv(table, CapsImageIndex.Scan(capsPath, config.Preprocessing), config, needLabels: !options.NoLabel).Images;
        if (config.NetworkTask == "classification" && !options.NoLabel)
        {
            var unknown = samples.Select(s => s.Label!).Distinct().Where(l => !config.LabelCode.ContainsKey(l)).ToList();
            if (unknown.Count > 0)
            {
                throw new InvalidTableException($"Label(s) {string.Join(", ", unknown)} of '{options.TsvPath}' were not trained on (labels: {string.Join(", ", config.LabelCode.Keys)}); predict with -NoLabel.");
            }
        }
        TorchRuntime.EnsureLoaded();
        var device = TorchRuntime.ResolveDevice(config.Device);
        using var images = new ImageTensors(samples.Select(s => s.ImagePath), config, Environment.ProcessorCount, cancellation);
        var inputSize = JsonNode.Parse(File.ReadAllText(maps.MapsJson))?["input_size"]?.AsArray().Select(n => n!.GetValue<long>()).ToArray();
        if (inputSize is not null && !inputSize.SequenceEqual(images.SampleShape))
        {
            throw new MapsException($"The MAPS was trained on {string.Join("x", inputSize)} inputs; these images give {string.Join("x", images.SampleShape)}.");
        }
        var codes = config.LabelCode.OrderBy(c => c.Value).Select(c => c.Key).ToList();
        var rows = new List<PredictionRow>();
        foreach (var split in maps.Splits().Where(s => options.Splits is null || options.Splits.Contains(s)))
        {
            foreach (var metric in (options.SelectionMetrics ?? config.SelectionMetrics).Where(m => File.Exists(maps.BestModel(split, m))))
            {
                cancellation.ThrowIfCancellationRequested();
                log?.Invoke($"Split {split}, best-{metric}: predicting {samples.Count} session(s).");
                using var model = NetworkRegistry.Create(config.ResolvedArchitecture, images.SampleShape, config.NetworkTask == "classification" ? config.LabelCode.Count : 1, config.Dropout);
                model.load(maps.BestModel(split, metric));
                model.to(device);
                var evaluation = Evaluation.Run(model, samples, images, config, config.LabelCode, device, !options.NoLabel, cancellation);
                ResultWriter.Write(maps.Results(split, metric, options.DataGroup), options.DataGroup, evaluation, config.BootstrapResamples, config.Seed, capsPath);
                rows.AddRange(samples.Select((s, i) => new PredictionRow
                {
                    DataGroup = options.DataGroup, Split = split, SelectionMetric = metric, ParticipantId = s.ParticipantId, SessionId = s.SessionId,
                    TrueLabel = options.NoLabel ? null : s.Label,
                    PredictedLabel = evaluation.Classification ? codes[evaluation.PredictedCodes[i]] : evaluation.PredictedValues[i].ToString("R", CultureInfo.InvariantCulture),
                    Probabilities = evaluation.Probabilities[i], LeakageOverride = leakage, MapsPath = maps.Root,
                }));
            }
        }
        return rows;
    }

    /// <summary>Checks and writes groups/&lt;group&gt;/ (data.tsv, maps.json); returns its CAPS, its table and whether leakage was forced.</summary>
    private static (string Caps, TsvTable Table, bool Leakage) DefineGroup(MapsLayout maps, PredictionOptions options, TrainingConfig config)
    {
        var folder = maps.Group(options.DataGroup);
        var exists = Directory.Exists(folder);
        var defining = options.CapsPath is not null || options.TsvPath is not null;
        if (exists && !defining)
        {
            var groupJson = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "maps.json")))!;
            return (groupJson["caps_directory"]!.GetValue<string>(), TsvTable.Read(Path.Combine(folder, "data.tsv")), groupJson["leakage_override"] is not null);
        }
        if (exists && !options.Overwrite)
        {
            throw new MapsException($"The data group '{options.DataGroup}' is already defined in '{maps.Root}'; use it without -CapsPath/-TsvPath, or redefine it with -Overwrite.");
        }
        if (options.CapsPath is null || options.TsvPath is null)
        {
            throw new MapsException($"The new data group '{options.DataGroup}' needs both -CapsPath and -TsvPath.");
        }
        var table = TsvTable.Read(options.TsvPath);
        table.Require("participant_id", "session_id");
        var seen = TsvTable.Read(maps.TrainValidation);
        var seenParticipants = seen.Rows.Select(r => r[seen.IndexOf("participant_id")]).ToHashSet();
        var overlap = table.Rows.Select(r => r[table.IndexOf("participant_id")]!).Where(seenParticipants.Contains).Distinct().Order(StringComparer.Ordinal).ToList();
        if (overlap.Count > 0 && !options.Force)
        {
            throw new DataLeakageException(
                $"{overlap.Count} participant(s) of '{options.TsvPath}' were seen in training or pre-training of '{maps.Root}' (groups/train+validation.tsv): {string.Join(", ", overlap.Take(30))}{(overlap.Count > 30 ? ", ..." : "")}. " +
                "Evaluate on participants the model never saw; -Force proceeds and records the override.", overlap);
        }
        if (exists)
        {
            foreach (var split in maps.Splits())
            {
                foreach (var best in Directory.EnumerateDirectories(maps.Split(split), "best-*"))
                {
                    var results = Path.Combine(best, options.DataGroup);
                    if (Directory.Exists(results))
                    {
                        Directory.Delete(results, recursive: true);
                    }
                }
            }
        }
        Directory.CreateDirectory(folder);
        var label = config.ResolvedLabel;
        var columns = new List<string> { "participant_id", "session_id" };
        if (table.HasColumn(label))
        {
            columns.Add(label);
        }
        new TsvTable(columns, table.Rows.Select(r => columns.Select(c => r[table.IndexOf(c)]).ToArray())).Write(Path.Combine(folder, "data.tsv"));
        var json = new JsonObject { ["caps_directory"] = Path.GetFullPath(options.CapsPath), ["multi_cohort"] = false, ["tsv_path"] = Path.GetFullPath(options.TsvPath) };
        if (overlap.Count > 0)
        {
            json["leakage_override"] = new JsonObject
            {
                ["participants"] = new JsonArray(overlap.Select(p => (JsonNode?)p).ToArray()),
                ["date"] = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
                ["note"] = "Evaluated with -Force although these participants were seen in training or pre-training: results are biased.",
            };
        }
        ResultWriter.WriteText(Path.Combine(folder, "maps.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return (Path.GetFullPath(options.CapsPath), table, overlap.Count > 0);
    }
}
