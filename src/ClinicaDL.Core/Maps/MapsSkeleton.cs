using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Splits;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Maps;

/// <summary>
/// What a training writes before its first epoch, with ClinicaDL's names and keys: maps.json (the whole
/// configuration as run, plus what the data decided: label codes, mode, parts, input and output size, splits),
/// environment.txt, information.log, the train and validation groups of every split, and
/// groups/train+validation.tsv, the list of every session seen in training or pre-training that evaluation checks.
/// </summary>
public static class MapsSkeleton
{
    /// <summary>
    /// Writes the skeleton into <paramref name="target"/> (a staging folder the caller renames into place);
    /// <paramref name="finalRoot"/> is where the MAPS will live, as information.log records it.
    /// </summary>
    public static void Write(MapsLayout target, string finalRoot, TrainingConfig config, IReadOnlyList<SplitDefinition> splits,
        IReadOnlyList<(int Split, DataGroup Train, DataGroup Validation)> groups, ImageTensors images, string hostDescription, IReadOnlyList<string> leakage)
    {
        var sampleShape = images.SampleShape;
        Directory.CreateDirectory(target.Root);
        var json = JsonNode.Parse(config.ToJson())!.AsObject();
        var reconstruction = config.Task == TrainingTask.Reconstruction;
        json["architecture"] = config.ResolvedArchitecture;
        json["label"] = reconstruction ? null : config.ResolvedLabel;
        json["loss"] = config.ResolvedLoss;
        var folds = SplitFolderName.In(config.TsvPath!).Count;
        json["validation"] = folds > 0 ? "KFoldSplit" : "SingleSplit";
        // As ClinicaDL: the parts per image, whether one network takes them all or each has its own.
        json["num_networks"] = images.PartsPerImage;
        json["mode"] = images.Parts?.ModeName ?? "image";
        if (config.PreprocessingDict is not null && images.Parts?.Mode == Extraction.ExtractionMode.Roi)
        {
            json["preprocessing_dict"]!["roi_background_value"] = 0;
        }
        // As ClinicaDL: classes, 1, or for an autoencoder the shape it gives back.
        json["output_size"] = reconstruction ? new JsonArray(sampleShape.Select(s => (JsonNode?)s).ToArray()) : config.OutputSize;
        json["input_size"] = new JsonArray(sampleShape.Select(s => (JsonNode?)s).ToArray());
        json["n_splits"] = folds;
        json["split"] = new JsonArray(splits.Select(s => (JsonNode?)s.Index).ToArray());
        if (leakage.Count > 0)
        {
            json[TrainingConfig.LeakageFindingsKey] = new JsonArray(leakage.Select(l => (JsonNode?)l).ToArray());
        }
        AtomicFile.WriteAllText(target.MapsJson, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        AtomicFile.WriteAllText(target.Environment, hostDescription);
        AtomicFile.WriteAllText(target.InformationLog,
            $"- Date :\t{DateTime.Now.ToString("dd MMM yyyy, HH:mm:ss", CultureInfo.InvariantCulture)}\n- Path :\t{finalRoot}\n- Model :\t{config.ResolvedArchitecture} for inputs {string.Join("x", sampleShape)}, {config.OutputSize} output(s)\n" +
            string.Concat(leakage.Select(l => $"- Data leakage allowed (-AllowDataLeakage) :\t{l}\n")));
        var groupJson = new JsonObject { ["caps_directory"] = config.CapsDirectory, ["multi_cohort"] = false }.ToJsonString() + "\n";
        foreach (var (split, train, validation) in groups)
        {
            foreach (var (name, group) in new[] { ("train", train), ("validation", validation) })
            {
                Directory.CreateDirectory(target.GroupSplit(name, split));
                GroupTable(group, config.ResolvedLabel).Write(Path.Combine(target.GroupSplit(name, split), "data.tsv"));
                AtomicFile.WriteAllText(Path.Combine(target.GroupSplit(name, split), "maps.json"), groupJson);
            }
        }
        SeenSessions(config, groups).Write(target.TrainValidation);
    }

    private static TsvTable GroupTable(DataGroup group, string label) => new(["participant_id", "session_id", "cohort", label],
        group.Images.Select(i => new string?[] { i.ParticipantId, i.SessionId, "single", i.Label }));

    /// <summary>
    /// Every session seen in training: all splits' train and validation data, the parent hold-out split's
    /// train.tsv when there is one, and the transfer-learning source's own list.
    /// </summary>
    private static TsvTable SeenSessions(TrainingConfig config, IReadOnlyList<(int Split, DataGroup Train, DataGroup Validation)> groups)
    {
        var seen = groups.SelectMany(g => g.Train.Images.Concat(g.Validation.Images)).Select(i => (i.ParticipantId, i.SessionId)).ToHashSet();
        foreach (var extra in new[] { Path.Combine(Path.GetDirectoryName(Path.GetFullPath(config.TsvPath!))!, "train.tsv"),
                     config.TransferPath is null ? null : new MapsLayout(config.TransferPath).TrainValidation })
        {
            if (extra is not null && File.Exists(extra))
            {
                var table = TsvTable.Read(extra);
                if (table.HasColumn("participant_id") && table.HasColumn("session_id"))
                {
                    seen.UnionWith(table.Rows.Select(r => (r[table.IndexOf("participant_id")]!, r[table.IndexOf("session_id")]!)));
                }
            }
        }
        return new TsvTable(["participant_id", "session_id"], seen.OrderBy(s => s.ParticipantId, StringComparer.Ordinal).ThenBy(s => s.SessionId, StringComparer.Ordinal)
            .Select(s => new string?[] { s.ParticipantId, s.SessionId }));
    }
}
