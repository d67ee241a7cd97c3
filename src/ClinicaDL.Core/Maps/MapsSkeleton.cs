using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Runtime;
using ClinicaDL.Core.Splits;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

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
        IReadOnlyList<(int Split, DataGroup Train, DataGroup Validation)> groups, ImageTensors images, string hostDescription, IReadOnlyList<string> leakage,
        IEnumerable<(string ParticipantId, string SessionId)>? alsoSeen = null)
    {
        Directory.CreateDirectory(target.Root);
        var json = Description(config, splits, images, target, leakage);
        AtomicFile.WriteAllText(target.MapsJson, json.ToJsonString(Indented) + "\n");
        AtomicFile.WriteAllText(target.Environment, hostDescription);
        AtomicFile.WriteAllText(target.InformationLog,
            $"- Date :\t{DateTime.Now.ToString("dd MMM yyyy, HH:mm:ss", CultureInfo.InvariantCulture)}\n- Path :\t{finalRoot}\n- Model :\t{(config.ArchitectureFile is { } file ? $"network file {file}" : config.ResolvedArchitecture)} for inputs {string.Join("x", images.SampleShape)}, {config.OutputSize} output(s)\n" +
            (config.Amp ? $"- Precision :\t{MixedPrecision.Describe(MixedPrecision.ComputeTypeOn(new Device(config.Device.StartsWith("cuda", StringComparison.OrdinalIgnoreCase) ? DeviceType.CUDA : DeviceType.CPU)))}\n" : "") +
            string.Concat(leakage.Select(l => $"- Data leakage allowed (-AllowDataLeakage) :\t{l}\n")));
        WriteGroups(target, config, groups);
        SeenSessions(config, groups, alsoSeen ?? []).Write(target.TrainValidation);
    }

    /// <summary>
    /// Adds the splits of <paramref name="groups"/> to the MAPS at <paramref name="maps"/>, made by another process with
    /// the same configuration for other splits (two processes started with -Split 0 and -Split 1): their groups, their
    /// sessions in train+validation.tsv and their numbers in maps.json's split list, which then hold what one process
    /// training all these splits writes. Refused, before anything is written, when the MAPS was made with another
    /// configuration (naming the keys that differ) or already has one of these splits. The caller holds the lock of
    /// the MAPS' shared files.
    /// </summary>
    public static void Join(MapsLayout maps, TrainingConfig config, IReadOnlyList<SplitDefinition> splits,
        IReadOnlyList<(int Split, DataGroup Train, DataGroup Validation)> groups, ImageTensors images, IReadOnlyList<string> leakage,
        IEnumerable<(string ParticipantId, string SessionId)>? alsoSeen = null)
    {
        var existing = JsonNode.Parse(File.ReadAllText(maps.MapsJson)) as JsonObject
            ?? throw new MapsExistsException(maps.Root, $"'{maps.MapsJson}' holds no JSON object, so this MAPS cannot be joined; choose another path.");
        var theirs = existing["split"] is JsonArray list ? list.Select(n => n!.GetValue<int>()).ToList() : [];
        var ours = groups.Select(g => g.Split).ToList();
        if (ours.Intersect(theirs).ToList() is { Count: > 0 } taken)
        {
            throw new MapsExistsException(maps.Root,
                $"'{maps.Root}' already has split(s) {string.Join(", ", taken)}: Resume-ClinicaDLTraining -MapsPath '{maps.Root}' -Split {taken[0]} continues a stopped one, -Overwrite replaces the whole MAPS.");
        }
        var wanted = Description(config, splits, images, maps, leakage, copyNetworkFile: false);
        var differing = DifferingKeys(wanted, existing);
        if (differing.Count > 0)
        {
            throw new MapsExistsException(maps.Root,
                $"'{maps.Root}' is a MAPS of another configuration (its maps.json differs in {string.Join(", ", differing)}): a process joins a MAPS only to train other splits " +
                "of the same configuration and data. Choose another path, or replace the MAPS with -Overwrite.");
        }
        if (config.ArchitectureFile is { } networkFile && !File.ReadAllBytes(networkFile).AsSpan().SequenceEqual(File.ReadAllBytes(maps.NetworkFile(Path.GetExtension(networkFile)))))
        {
            throw new MapsExistsException(maps.Root,
                $"'{maps.Root}' was trained with another version of the network file '{networkFile}' (its copy in the MAPS differs): a process joins a MAPS only to train other splits of the same network.");
        }
        WriteGroups(maps, config, groups);
        var seen = TsvTable.Read(maps.TrainValidation);
        var added = SeenSessions(config, groups, alsoSeen ?? []);
        new TsvTable(["participant_id", "session_id"], seen.Rows.Concat(added.Rows).Select(r => (r[0]!, r[1]!)).Distinct()
            .OrderBy(s => s.Item1, StringComparer.Ordinal).ThenBy(s => s.Item2, StringComparer.Ordinal).Select(s => new string?[] { s.Item1, s.Item2 }))
            .Write(maps.TrainValidation);
        // Last: a join stopped before this line left only files a new join rewrites the same.
        existing["split"] = new JsonArray(theirs.Concat(ours).Order().Select(s => (JsonNode?)s).ToArray());
        AtomicFile.WriteAllText(maps.MapsJson, existing.ToJsonString(Indented) + "\n");
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The keys of two maps.json whose values differ, but the split list (which processes joining a MAPS extend).</summary>
    public static IReadOnlyList<string> DifferingKeys(JsonObject one, JsonObject other) =>
        one.Select(p => p.Key).Union(other.Select(p => p.Key)).Where(key => key != "split" && !JsonNode.DeepEquals(one[key], other[key])).ToList();

    /// <summary>maps.json: the whole configuration as run, plus what the data decided.</summary>
    private static JsonObject Description(TrainingConfig config, IReadOnlyList<SplitDefinition> splits, ImageTensors images, MapsLayout target,
        IReadOnlyList<string> leakage, bool copyNetworkFile = true)
    {
        var sampleShape = images.SampleShape;
        var json = JsonNode.Parse(config.ToJson())!.AsObject();
        var reconstruction = config.Task == TrainingTask.Reconstruction;
        json["architecture"] = config.ArchitectureFile is not { } networkFile ? config.ResolvedArchitecture
            : copyNetworkFile ? CopyNetworkFile(networkFile, target) : Path.GetFileName(target.NetworkFile(Path.GetExtension(networkFile)));
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
        AsClinicaDLWrites(json, config);
        return json;
    }

    private static void WriteGroups(MapsLayout target, TrainingConfig config, IReadOnlyList<(int Split, DataGroup Train, DataGroup Validation)> groups)
    {
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
    }

    /// <summary>
    /// Every key ClinicaDL writes, with a value of the type it writes, so that ClinicaDL's predict reads this MAPS:
    /// its path_decoder turns a null path into Path(None) and fails, so no path key holds null (false at the top, as
    /// ClinicaDL's transfer_path; "" inside preprocessing_dict, as its path_encoder); no augmentation is false; a task
    /// without label codes or threshold has null (ClinicaDL's remove_unused_tasks); whole images found by their
    /// preprocessing have the preprocessing_dict ClinicaDL's prepare-data would write; and the train_config.toml
    /// keys without a setting here are written as given or at ClinicaDL's default.
    /// </summary>
    internal static void AsClinicaDLWrites(JsonObject json, TrainingConfig config)
    {
        if (config.PreprocessingDict is null)
        {
            var query = config.ImageQuery();
            json["preprocessing_dict"] = new JsonObject
            {
                ["preprocessing"] = config.Preprocessing, ["mode"] = "image", ["use_uncropped_image"] = query.UseUncroppedImage,
                ["prepare_dl"] = false, ["extract_json"] = "", ["file_type"] = Datasets.CapsDataset.ClinicaFileType(query),
            };
        }
        foreach (var (key, value) in ClinicaDLOnlyKeys.ForMapsJson(config.ClinicaDLOnlyValues))
        {
            json[key] = value;
        }
        // ClinicaDL's RandomArchitecture reads its three keys from maps.json (null network_normalization: none); no other network has them.
        if (!config.IsRandomArchitecture)
        {
            foreach (var key in TrainingConfig.RandomArchitectureKeys)
            {
                json.Remove(key);
            }
        }
        if (config.DataAugmentation.Count == 0)
        {
            json["data_augmentation"] = false;
        }
        if (config.Task != TrainingTask.Classification)
        {
            json["label_code"] = null;
            json["selection_threshold"] = null;
        }
        NoNullPaths(json, JsonValue.Create(false));
        if (json["preprocessing_dict"] is JsonObject extraction)
        {
            NoNullPaths(extraction, JsonValue.Create(""));
        }
    }

    /// <summary>The keys ClinicaDL's path_encoder and path_decoder treat as paths: their names end so.</summary>
    private static void NoNullPaths(JsonObject json, JsonNode none)
    {
        string[] endings = ["tsv", "dir", "directory", "path", "json", "location"];
        foreach (var key in json.Where(p => p.Value is null && endings.Any(e => p.Key.EndsWith(e, StringComparison.Ordinal))).Select(p => p.Key).ToList())
        {
            json[key] = none.DeepClone();
        }
    }

    private static TsvTable GroupTable(DataGroup group, string label) => new(["participant_id", "session_id", "cohort", label],
        group.Images.Select(i => new string?[] { i.ParticipantId, i.SessionId, "single", i.Label }));

    /// <summary>
    /// Every session seen in training: all splits' train and validation data, the parent hold-out split's
    /// train.tsv when there is one, the transfer-learning source's own list, and <paramref name="alsoSeen"/> (domain
    /// adaptation's target sessions, labelled and unlabelled, which ClinicaDL leaves out).
    /// </summary>
    private static TsvTable SeenSessions(TrainingConfig config, IReadOnlyList<(int Split, DataGroup Train, DataGroup Validation)> groups,
        IEnumerable<(string ParticipantId, string SessionId)> alsoSeen)
    {
        var seen = groups.SelectMany(g => g.Train.Images.Concat(g.Validation.Images)).Select(i => (i.ParticipantId, i.SessionId)).Concat(alsoSeen).ToHashSet();
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

    /// <summary>Copies the network file beside maps.json and gives the name maps.json records as its architecture.</summary>
    private static string CopyNetworkFile(string networkFile, MapsLayout target)
    {
        var copy = target.NetworkFile(Path.GetExtension(networkFile));
        AtomicFile.WriteAllBytes(copy, File.ReadAllBytes(networkFile));
        return Path.GetFileName(copy);
    }
}
