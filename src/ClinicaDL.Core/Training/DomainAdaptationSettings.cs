using System.Text.Json.Nodes;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Training;

/// <summary>
/// The keys of ClinicaDL's semi-supervised domain adaptation (ssda_network, caps_target, tsv_target_lab,
/// tsv_target_unlab, preprocessing_dict_target): what combines with them, and where the target data is. As
/// ClinicaDL, tsv_target_lab is a split folder read like tsv_path (the same splits), tsv_target_unlab one TSV of
/// sessions, and preprocessing_dict_target the name of an extraction JSON in caps_target/tensor_extraction/ (in
/// maps.json, the JSON object itself). Whole images only, in both domains.
/// </summary>
public static class DomainAdaptationSettings
{
    /// <summary>The one network ClinicaDL trains this way (its CNN_SSDA).</summary>
    public const string Architecture = "Conv5_FC3_SSDA";

    /// <summary>Why a configuration's SSDA keys cannot be trained as they are, one reason each; empty when they can.</summary>
    public static IEnumerable<string> Unhonoured(TrainingConfig config)
    {
        var ssdaNetwork = config.ResolvedArchitecture.Equals(Architecture, StringComparison.OrdinalIgnoreCase);
        if (!config.SsdaNetwork)
        {
            if (ssdaNetwork)
            {
                yield return $"{Architecture} trains only with ssda_network = true (its three heads need the target data)";
            }
            var given = new[] { ("caps_target", config.CapsTarget), ("tsv_target_lab", config.TsvTargetLab), ("tsv_target_unlab", config.TsvTargetUnlab) }
                .Where(k => k.Item2.Length > 0).Select(k => k.Item1).ToList();
            if (!IsEmpty(config.PreprocessingDictTarget))
            {
                given.Add("preprocessing_dict_target");
            }
            if (given.Count > 0)
            {
                yield return $"{string.Join(", ", given)} describe the target data of semi-supervised domain adaptation, which needs ssda_network = true (-SsdaNetwork)";
            }
            yield break;
        }
        if (!ssdaNetwork)
        {
            yield return $"ssda_network = true trains {Architecture} only (ClinicaDL's one network with source, target and domain heads); got architecture {config.ResolvedArchitecture}";
        }
        if (config.Mode != "image" || (config.PreprocessingDict is not null && config.Decomposition() is not null))
        {
            yield return $"ssda_network trains on whole images (mode image), as ClinicaDL's domain labels; the source data is in mode {config.Mode}";
        }
        if (config.MultiNetwork)
        {
            yield return "ssda_network and multi_network cannot be combined: domain adaptation trains one network on whole images";
        }
        if (config.Amp)
        {
            yield return "amp is not available with ssda_network";
        }
        if (config.TransferPath is not null)
        {
            yield return "transfer_path is not available with ssda_network";
        }
        if (config.AdaptiveLearningRate)
        {
            yield return "adaptive_learning_rate: ClinicaDL's domain adaptation never lowers the rate on a plateau (its _train_ssdann has no scheduler), so it is refused rather than trained otherwise";
        }
    }

    /// <summary>
    /// Refuses, naming the key and the path, target data that is not there: the target CAPS, the labelled split
    /// folder, the unlabelled TSV (with participant_id and session_id), and the target extraction JSON.
    /// </summary>
    public static void CheckTargetData(TrainingConfig config)
    {
        if (!config.SsdaNetwork)
        {
            return;
        }
        if (config.CapsTarget.Length == 0 || !Directory.Exists(config.CapsTarget))
        {
            throw new ArgumentException(config.CapsTarget.Length == 0
                ? "ssda_network = true needs caps_target (-TargetCapsPath), the CAPS of the target domain."
                : $"caps_target: the target CAPS '{config.CapsTarget}' does not exist.", "caps_target");
        }
        if (config.TsvTargetLab.Length == 0 || !Directory.Exists(config.TsvTargetLab))
        {
            throw new ArgumentException(config.TsvTargetLab.Length == 0
                ? "ssda_network = true needs tsv_target_lab (-TargetTsvPath), a split folder of labelled target sessions (train.tsv, validation_baseline.tsv, or split-<k> folders as tsv_path)."
                : $"tsv_target_lab: the split folder of labelled target sessions '{config.TsvTargetLab}' does not exist.", "tsv_target_lab");
        }
        if (config.TsvTargetUnlab.Length == 0 || !File.Exists(config.TsvTargetUnlab))
        {
            throw new ArgumentException(config.TsvTargetUnlab.Length == 0
                ? "ssda_network = true needs tsv_target_unlab (-TargetUnlabeledTsvPath), a TSV of unlabelled target sessions (participant_id, session_id)."
                : $"tsv_target_unlab: the TSV of unlabelled target sessions '{config.TsvTargetUnlab}' does not exist.", "tsv_target_unlab");
        }
        TsvTable.Read(config.TsvTargetUnlab).Require("participant_id", "session_id");
        TargetExtraction(config);
    }

    /// <summary>
    /// The target extraction as a JSON object; null when none is given: the target images are then found as the
    /// source's are (the same preprocessing_dict or preprocessing). A name is read from
    /// caps_target/tensor_extraction/, as ClinicaDL's train does; the extraction must be of whole images.
    /// </summary>
    public static JsonObject? TargetExtraction(TrainingConfig config)
    {
        JsonObject? extraction = config.PreprocessingDictTarget switch
        {
            JsonObject given => given,
            JsonValue name when name.TryGetValue<string>(out var file) && file.Length > 0 => Extraction.ExtractionOptions.ReadJson(config.CapsTarget, file),
            _ when IsEmpty(config.PreprocessingDictTarget) => null,
            var other => throw new ArgumentException($"preprocessing_dict_target: expected the name of an extraction JSON of '{Path.Combine(config.CapsTarget, "tensor_extraction")}' or its JSON object; got {other!.ToJsonString()}.", "preprocessing_dict_target"),
        };
        if (extraction is null)
        {
            return null;
        }
        var options = Extraction.ExtractionOptions.FromJson(extraction, config.CapsTarget, "preprocessing_dict_target");
        if (options.Mode != Extraction.ExtractionMode.Image)
        {
            throw new ArgumentException($"preprocessing_dict_target: the target extraction is of {options.Mode.ToString().ToLowerInvariant()}s; domain adaptation trains on whole images (mode image) in both domains.", "preprocessing_dict_target");
        }
        return extraction;
    }

    /// <summary>The source's configuration, but finding and preparing the target domain's images.</summary>
    public static TrainingConfig TargetConfig(TrainingConfig config, JsonObject? extraction)
    {
        var target = TrainingConfig.FromMapsDescription(JsonNode.Parse(config.ToJson())!.AsObject(), Path.Combine(config.CapsTarget, "maps.json"));
        target.CapsDirectory = config.CapsTarget;
        target.PreprocessingDict = (extraction ?? config.PreprocessingDict)?.DeepClone().AsObject();
        if (extraction?["preprocessing"] is JsonValue preprocessing && preprocessing.TryGetValue<string>(out var name))
        {
            target.Preprocessing = name;
        }
        return target;
    }

    private static bool IsEmpty(JsonNode? value) =>
        value is null || (value is JsonValue v && ((v.TryGetValue<string>(out var s) && s.Length == 0) || (v.TryGetValue<bool>(out var b) && !b)));
}
