using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Tomlyn;
using Tomlyn.Model;

namespace ClinicaDL.Core.Training;

/// <summary>
/// Every key of ClinicaDL 1.6's train configuration, with its default and its name (maps.json and
/// train_config.toml use the same flat keys), plus this module's additions (device, threads,
/// bootstrap_resamples). Values come from the defaults, then a TOML or maps.json file, then the command line.
/// </summary>
public sealed class TrainingConfig
{
    [JsonPropertyName("network_task")] public string NetworkTask { get; set; } = "classification";
    [JsonPropertyName("caps_directory")] public string? CapsDirectory { get; set; }
    [JsonPropertyName("tsv_path")] public string? TsvPath { get; set; }
    [JsonPropertyName("preprocessing")] public string Preprocessing { get; set; } = "t1-linear";
    [JsonPropertyName("mode")] public string Mode { get; set; } = "image";

    /// <summary>The extraction JSON the parts come from (ClinicaDL's preprocessing_dict); null for whole images found by preprocessing.</summary>
    [JsonPropertyName("preprocessing_dict")] public JsonObject? PreprocessingDict { get; set; }

    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "default";
    [JsonPropertyName("multi_network")] public bool MultiNetwork { get; set; }
    [JsonPropertyName("dropout")] public double Dropout { get; set; }
    [JsonPropertyName("latent_space_size")] public int LatentSpaceSize { get; set; } = 128;

    [JsonPropertyName("selection_metrics")] public List<string> SelectionMetrics { get; set; } = ["loss"];
    [JsonPropertyName("label")] public string? Label { get; set; }
    [JsonPropertyName("label_code")] public Dictionary<string, int> LabelCode { get; set; } = [];
    [JsonPropertyName("selection_threshold")] public double SelectionThreshold { get; set; }
    [JsonPropertyName("loss")] public string? Loss { get; set; }

    [JsonPropertyName("gpu")] public bool Gpu { get; set; }
    [JsonPropertyName("n_proc")] public int NProc { get; set; } = 2;
    [JsonPropertyName("batch_size")] public int BatchSize { get; set; } = 8;
    [JsonPropertyName("evaluation_steps")] public int EvaluationSteps { get; set; }
    [JsonPropertyName("amp")] public bool Amp { get; set; }

    [JsonPropertyName("seed")] public int Seed { get; set; }
    [JsonPropertyName("deterministic")] public bool Deterministic { get; set; }
    [JsonPropertyName("compensation")] public string Compensation { get; set; } = "memory";
    [JsonPropertyName("track_exp")] public string TrackExp { get; set; } = "";

    [JsonPropertyName("transfer_path")] public string? TransferPath { get; set; }
    [JsonPropertyName("transfer_selection_metric")] public string TransferSelectionMetric { get; set; } = "loss";
    [JsonPropertyName("nb_unfrozen_layer")] public int NbUnfrozenLayer { get; set; }

    [JsonPropertyName("multi_cohort")] public bool MultiCohort { get; set; }
    [JsonPropertyName("diagnoses")] public List<string> Diagnoses { get; set; } = ["AD", "CN"];
    [JsonPropertyName("baseline")] public bool Baseline { get; set; }
    [JsonPropertyName("valid_longitudinal")] public bool ValidLongitudinal { get; set; }
    [JsonPropertyName("normalize")] public bool Normalize { get; set; } = true;
    [JsonPropertyName("data_augmentation")] public List<string> DataAugmentation { get; set; } = [];
    [JsonPropertyName("sampler")] public string Sampler { get; set; } = "random";
    [JsonPropertyName("size_reduction")] public bool SizeReduction { get; set; }
    [JsonPropertyName("size_reduction_factor")] public int SizeReductionFactor { get; set; } = 2;

    [JsonPropertyName("n_splits")] public int NSplits { get; set; }
    [JsonPropertyName("split")] public List<int> Split { get; set; } = [];

    [JsonPropertyName("optimizer")] public string Optimizer { get; set; } = "Adam";
    [JsonPropertyName("epochs")] public int Epochs { get; set; } = 20;
    [JsonPropertyName("learning_rate")] public double LearningRate { get; set; } = 1e-4;
    [JsonPropertyName("adaptive_learning_rate")] public bool AdaptiveLearningRate { get; set; }
    [JsonPropertyName("weight_decay")] public double WeightDecay { get; set; } = 1e-4;
    [JsonPropertyName("patience")] public int Patience { get; set; }
    [JsonPropertyName("tolerance")] public double Tolerance { get; set; }
    [JsonPropertyName("accumulation_steps")] public int AccumulationSteps { get; set; } = 1;
    [JsonPropertyName("profiler")] public bool Profiler { get; set; }
    [JsonPropertyName("save_all_models")] public bool SaveAllModels { get; set; }
    [JsonPropertyName("emissions_calculator")] public bool EmissionsCalculator { get; set; }

    /// <summary>Our addition: the device (cpu, cuda, cuda:N); ClinicaDL's gpu=true means cuda.</summary>
    [JsonPropertyName("device")] public string Device { get; set; } = "cpu";

    /// <summary>Our addition: torch threads (0 = libtorch's default, one per core).</summary>
    [JsonPropertyName("threads")] public int Threads { get; set; }

    /// <summary>Our addition: resamples of the bootstrap confidence intervals.</summary>
    [JsonPropertyName("bootstrap_resamples")] public int BootstrapResamples { get; set; } = ConfidenceIntervals.DefaultResamples;

    /// <summary>The architecture actually built: "default" means Conv5_FC3 for classification and regression, AE_Conv5_FC3 for reconstruction.</summary>
    [JsonIgnore] public string ResolvedArchitecture => Architecture != "default" ? Architecture : NetworkTask == "reconstruction" ? "AE_Conv5_FC3" : "Conv5_FC3";

    /// <summary>The network's outputs: the classes (from label_code), or 1 for regression (autoencoders ignore it).</summary>
    [JsonIgnore] public int OutputSize => NetworkTask == "classification" ? LabelCode.Count : 1;

    /// <summary>A new network of this configuration for samples of the given shape (channels first).</summary>
    public TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> NewNetwork(long[] sampleShape) =>
        Networks.NetworkRegistry.Create(ResolvedArchitecture, sampleShape, OutputSize, Dropout, LatentSpaceSize);

    [JsonIgnore] public string ResolvedLabel => Label ?? (NetworkTask == "regression" ? "age" : "diagnosis");

    [JsonIgnore] public string ResolvedLoss => Loss ?? (NetworkTask == "classification" ? "CrossEntropyLoss" : "MSELoss");

    /// <summary>The extraction this run's samples come from; null when it trains on whole images.</summary>
    public Extraction.ExtractionOptions? Decomposition()
    {
        if (PreprocessingDict is null)
        {
            return Mode == "image" ? null : throw new ArgumentException($"Mode '{Mode}' needs the extraction's parameters (preprocessing_dict): give the extraction JSON with -ExtractJson.");
        }
        var options = Extraction.ExtractionOptions.FromJson(PreprocessingDict, CapsDirectory ?? "", "preprocessing_dict");
        return options.Mode == Extraction.ExtractionMode.Image ? null : options;
    }

    /// <summary>What finds this run's images in a CAPS: the extraction's query when there is one, else the preprocessing.</summary>
    public Datasets.CapsQuery ImageQuery() => PreprocessingDict is null
        ? new Datasets.CapsQuery { Preprocessing = Preprocessing }
        : Extraction.ExtractionOptions.FromJson(PreprocessingDict, CapsDirectory ?? "", "preprocessing_dict").Query();

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNameCaseInsensitive = false };

    /// <summary>Defaults, then a file (TOML or JSON, as told by its extension), then the overrides, in that order.</summary>
    public static TrainingConfig Build(string? configPath, IReadOnlyDictionary<string, object?> overrides, ICollection<string>? notes = null)
    {
        var values = new JsonObject();
        if (configPath is not null)
        {
            var file = configPath.EndsWith(".toml", StringComparison.OrdinalIgnoreCase) ? FromToml(configPath) : JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
            foreach (var (key, value) in file)
            {
                values[key] = value?.DeepClone();
            }
        }
        foreach (var (key, value) in overrides)
        {
            values[key] = JsonSerializer.SerializeToNode(value);
        }
        var known = typeof(TrainingConfig).GetProperties().Select(p => p.GetCustomAttributes(typeof(JsonPropertyNameAttribute), false).OfType<JsonPropertyNameAttribute>().FirstOrDefault()?.Name)
            .OfType<string>().ToHashSet();
        foreach (var key in values.Select(v => v.Key).ToList())
        {
            if (!known.Contains(key))
            {
                notes?.Add($"Configuration key '{key}' is not used by this module and is ignored.");
                values.Remove(key);
                continue;
            }
            // ClinicaDL writes false for an absent path and for no augmentation.
            if (values[key] is JsonValue flag && flag.TryGetValue<bool>(out var b) && !b && key is "transfer_path" or "caps_directory" or "tsv_path")
            {
                values[key] = null;
            }
            if (key == "data_augmentation" && values[key] is JsonValue augmentation && augmentation.TryGetValue<bool>(out _))
            {
                values[key] = new JsonArray();
            }
        }
        try
        {
            var config = values.Deserialize<TrainingConfig>(Options) ?? new TrainingConfig();
            if (config.Gpu && !overrides.ContainsKey("device") && !values.ContainsKey("device"))
            {
                config.Device = "cuda";
            }
            return config;
        }
        catch (JsonException error)
        {
            throw new ArgumentException($"The training configuration{(configPath is null ? "" : $" '{configPath}'")} has a value of the wrong type: {error.Message}", error);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>ClinicaDL's TOML has sections ([Model], [Optimization]...) over flat keys: the sections are dropped.</summary>
    private static JsonObject FromToml(string path)
    {
        TomlTable table;
        try
        {
            table = TomlSerializer.Deserialize<TomlTable>(File.ReadAllText(path), (TomlSerializerOptions?)null!) ?? new TomlTable();
        }
        catch (TomlException error)
        {
            throw new ArgumentException($"'{path}' is not valid TOML: {error.Message}", error);
        }
        var flat = new JsonObject();
        foreach (var (_, section) in table)
        {
            if (section is TomlTable keys)
            {
                foreach (var (key, value) in keys)
                {
                    flat[key] = ToJson(value);
                }
            }
        }
        return flat;
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        TomlArray array => new JsonArray(array.Select(ToJson).ToArray()),
        TomlTable table => new JsonObject(table.Select(kv => KeyValuePair.Create(kv.Key, ToJson(kv.Value)))),
        _ => JsonSerializer.SerializeToNode(value),
    };
}
