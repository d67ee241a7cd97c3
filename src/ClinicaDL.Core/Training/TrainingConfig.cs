using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Tomlyn;
using Tomlyn.Model;

namespace ClinicaDL.Core.Training;

/// <summary>
/// Every key of ClinicaDL 1.6's train configuration, with its default and its name (maps.json and
/// train_config.toml use the same flat keys), plus this module's additions (device, threads,
/// bootstrap_resamples, the learning_rate_schedule keys). Values come from the defaults, then a TOML or maps.json
/// file, then the command line. The ClinicaDL keys without a setting here are kept in <see cref="ClinicaDLOnlyValues"/>:
/// refused where they would change training, named in one note otherwise (<see cref="ClinicaDLOnlyKeys"/>).
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
    /// <summary>
    /// ClinicaDL's semi-supervised domain adaptation (Conv5_FC3_SSDA): the source data above, plus a target CAPS, a
    /// split folder of labelled target data, a TSV of unlabelled target sessions and the target extraction (its JSON
    /// object, or the name of a file of caps_target/tensor_extraction/). See <see cref="DomainAdaptationSettings"/>.
    /// ClinicaDL writes "" for the paths when there is no SSDA, and keeps those keys.
    /// </summary>
    [JsonPropertyName("ssda_network")] public bool SsdaNetwork { get; set; }
    [JsonPropertyName("caps_target")] public string CapsTarget { get; set; } = "";
    [JsonPropertyName("tsv_target_lab")] public string TsvTargetLab { get; set; } = "";
    [JsonPropertyName("tsv_target_unlab")] public string TsvTargetUnlab { get; set; } = "";
    [JsonPropertyName("preprocessing_dict_target")] public JsonNode? PreprocessingDictTarget { get; set; } = "";
    [JsonPropertyName("dropout")] public double Dropout { get; set; }
    [JsonPropertyName("latent_space_size")] public int LatentSpaceSize { get; set; } = 128;

    /// <summary>The VAE networks' sizes and loss weights (see <see cref="Networks.NetworkSettings"/>); other networks do not read them.</summary>
    [JsonPropertyName("feature_size")] public int FeatureSize { get; set; } = 1024;
    [JsonPropertyName("n_conv")] public int NConv { get; set; } = 4;
    [JsonPropertyName("io_layer_channels")] public int IoLayerChannels { get; set; } = 8;
    [JsonPropertyName("recons_weight")] public double ReconsWeight { get; set; } = 1;
    [JsonPropertyName("kl_weight")] public double KlWeight { get; set; } = 1;

    /// <summary>
    /// RandomArchitecture's blocks in ClinicaDL's form ({"conv0": {"in_channels": null, "out_channels": 8, "n_conv": 1,
    /// "d_reduction": "MaxPooling"}, ...}), as a random search's trial gives them; read through
    /// <see cref="Networks.ConvolutionBlock.Parse"/>. maps.json records these three keys for RandomArchitecture only.
    /// </summary>
    [JsonPropertyName("convolutions_dict")] public JsonNode? ConvolutionsDict { get; set; }

    /// <summary>RandomArchitecture's fully connected blocks.</summary>
    [JsonPropertyName("n_fcblocks")] public int? NFcBlocks { get; set; }

    /// <summary>RandomArchitecture's BatchNorm (ClinicaDL's default), InstanceNorm, or null for none ("None" in a TOML, which has no null).</summary>
    [JsonPropertyName("network_normalization")] public string? NetworkNormalization { get; set; } = "BatchNorm";

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

    /// <summary>Our addition: how the rate changes over epochs (constant, step, cosine), see <see cref="Training.LearningRateSchedule"/>.</summary>
    [JsonPropertyName("learning_rate_schedule")] public string LearningRateSchedule { get; set; } = Training.LearningRateSchedule.Constant;

    /// <summary>Our addition: the step schedule multiplies the rate by learning_rate_gamma every this many epochs.</summary>
    [JsonPropertyName("learning_rate_step_size")] public int LearningRateStepSize { get; set; } = 10;

    /// <summary>Our addition: the step schedule's factor (torch StepLR's gamma and default).</summary>
    [JsonPropertyName("learning_rate_gamma")] public double LearningRateGamma { get; set; } = 0.1;

    /// <summary>Our addition: the rate the cosine schedule anneals towards (torch CosineAnnealingLR's eta_min and default).</summary>
    [JsonPropertyName("learning_rate_min")] public double LearningRateMin { get; set; }

    /// <summary>Our addition: epochs of linear warm-up before the schedule.</summary>
    [JsonPropertyName("learning_rate_warmup_epochs")] public int LearningRateWarmupEpochs { get; set; }
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

    /// <summary>
    /// The explicit override that lets a training run on a split failing the leakage checks that apply to it (a
    /// participant on both sides, a session listed twice, a test participant in training); recorded in maps.json
    /// with what was found, so every result of the MAPS carries it.
    /// </summary>
    [JsonPropertyName("data_leakage_override")] public bool DataLeakageOverride { get; set; }

    /// <summary>Our addition: resamples of the bootstrap confidence intervals.</summary>
    [JsonPropertyName("bootstrap_resamples")] public int BootstrapResamples { get; set; } = ConfidenceIntervals.DefaultResamples;

    /// <summary>
    /// The keys of ClinicaDL's train configuration without a setting here (<see cref="ClinicaDLOnlyKeys"/>), as the
    /// file gave them: kept so that training refuses the ones that would change it and maps.json records them.
    /// </summary>
    [JsonIgnore] public IReadOnlyDictionary<string, JsonNode?> ClinicaDLOnlyValues { get; private set; } = new Dictionary<string, JsonNode?>();

    /// <summary>The architecture actually built: "default" means Conv5_FC3 for classification and regression, AE_Conv5_FC3 for reconstruction.</summary>
    [JsonIgnore] public string ResolvedArchitecture => Architecture != "default" ? Architecture : Task.DefaultArchitecture;

    /// <summary>The task of <see cref="NetworkTask"/>; an unknown name is an error naming the three there are.</summary>
    [JsonIgnore] public TrainingTask Task => TrainingTask.Parse(NetworkTask);

    /// <summary>The network's outputs: the classes (from label_code), or 1 for regression (autoencoders ignore it).</summary>
    [JsonIgnore] public int OutputSize => Task.OutputSize(LabelCode);

    /// <summary>
    /// The folder a relative network file in <see cref="Architecture"/> is found from: the configuration file's (a
    /// MAPS' maps.json: the MAPS, which keeps its copy there), else the current directory.
    /// </summary>
    [JsonIgnore] public string? ArchitectureFolder { get; set; }

    /// <summary>The full path of the network file or TorchScript archive <see cref="Architecture"/> names; null for a built-in network.</summary>
    [JsonIgnore] public string? ArchitectureFile => Networks.NetworkFile.IsNetworkFile(Architecture) || Networks.TorchScriptNetwork.IsTorchScript(Architecture)
        ? Path.GetFullPath(Architecture, ArchitectureFolder ?? Environment.CurrentDirectory) : null;

    /// <summary>A new network of this configuration for samples of the given shape (channels first).</summary>
    public TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> NewNetwork(long[] sampleShape) => ArchitectureFile switch
    {
        { } script when Networks.TorchScriptNetwork.IsTorchScript(script) => Networks.TorchScriptNetwork.Load(script, sampleShape, OutputSize, Task == TrainingTask.Reconstruction),
        { } file => Networks.NetworkFile.Load(file).Build(sampleShape, OutputSize, Dropout),
        null => Networks.NetworkRegistry.Create(ResolvedArchitecture, sampleShape, OutputSize, NetworkSettings),
    };

    /// <summary>The settings the networks read from this configuration.</summary>
    [JsonIgnore] public Networks.NetworkSettings NetworkSettings => new()
    {
        Dropout = Dropout,
        LatentSpaceSize = LatentSpaceSize,
        FeatureSize = FeatureSize,
        ConvolutionCount = NConv,
        InputOutputChannels = IoLayerChannels,
        ReconstructionWeight = ReconsWeight,
        KlWeight = KlWeight,
        ConvolutionBlocks = IsRandomArchitecture && ConvolutionsDict is not null ? Networks.ConvolutionBlock.Parse(ConvolutionsDict) : null,
        FullyConnectedBlocks = NFcBlocks,
        NetworkNormalization = NetworkNormalization,
    };

    /// <summary>Whether the network built is ClinicaDL's RandomArchitecture, which alone reads convolutions_dict, n_fcblocks and network_normalization.</summary>
    [JsonIgnore] public bool IsRandomArchitecture => ResolvedArchitecture.Equals(Networks.RandomArchitecture.Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>The configuration keys only RandomArchitecture reads.</summary>
    internal static readonly string[] RandomArchitectureKeys = ["convolutions_dict", "n_fcblocks", "network_normalization"];

    [JsonIgnore] public string ResolvedLabel => Label ?? Task.DefaultLabel;

    /// <summary>The loss trained with: the one given, else the task's first, or for a VAE network ClinicaDL's VAEGaussianLoss (ClinicaDL's default MSELoss fails there).</summary>
    [JsonIgnore] public string ResolvedLoss => Loss ?? (Networks.NetworkRegistry.IsVariational(ResolvedArchitecture) ? LossFunction.Variational[0] : Task.Losses[0]);

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

    /// <summary>
    /// Refuses, before anything is written, every value this module cannot train with: each message names the
    /// configuration key (ClinicaDL's name, which is also the parameter's) and what it accepts.
    /// </summary>
    public void Validate()
    {
        var task = Task;
        if (Networks.NetworkRegistry.Exists(ResolvedArchitecture) && !Networks.NetworkRegistry.NamesFor(NetworkTask).Contains(ResolvedArchitecture, StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"{ResolvedArchitecture} is not a {NetworkTask} network; {NetworkTask} takes {string.Join(", ", Networks.NetworkRegistry.NamesFor(NetworkTask))}.");
        }
        if (!task.NeedsLabels && Sampler != SampleOrder.Random)
        {
            throw new ArgumentException("Reconstruction has no labels to weight a sampler by: use the random sampler (as ClinicaDL).");
        }
        var parts = Decomposition();
        if (SizeReduction && parts is not null)
        {
            throw new ArgumentException($"size_reduction applies to whole images; this run trains on {parts.Mode.ToString().ToLowerInvariant()}s (extraction '{parts.ExtractJson}'). Extract smaller parts instead.");
        }
        if (SelectionThreshold is < 0 or > 1)
        {
            throw new ArgumentException($"selection_threshold is a validation accuracy between 0 and 1; got {SelectionThreshold}.");
        }
        if (CapsDirectory is null || TsvPath is null)
        {
            throw new ArgumentException("Training needs a CAPS folder (-CapsPath) and a split folder (-TsvPath).");
        }
        if (ArchitectureFile is { } named && !File.Exists(named))
        {
            // Here, before a MAPS or a split is touched and before any image is read, not when the first split builds it.
            throw new FileNotFoundException($"The architecture file '{named}' does not exist" +
                (ArchitectureFolder is null ? "." : $" (a relative architecture is found from the configuration file's folder, {ArchitectureFolder})."), named);
        }
        if (ArchitectureFile is { } networkFile && Networks.NetworkFile.IsNetworkFile(networkFile))
        {
            var tasks = Networks.NetworkFile.Load(networkFile).Tasks;
            if (!tasks.Contains(NetworkTask))
            {
                throw new ArgumentException($"The network file '{networkFile}' describes a {string.Join(" or ", tasks)} network, not a {NetworkTask} one " +
                    "(a file serves reconstruction when it says Autoencoder = $true, classification and regression otherwise).");
            }
        }
        else if (ArchitectureFile is null && !Networks.NetworkRegistry.Exists(ResolvedArchitecture))
        {
            throw new ArgumentException($"Unknown architecture '{Architecture}'; known: {string.Join(", ", Networks.NetworkRegistry.Names)}.");
        }
        if (!Optimizers.Names.Contains(Optimizer))
        {
            throw new ArgumentException($"Unknown optimizer '{Optimizer}'; known: {string.Join(", ", Optimizers.Names)}.");
        }
        if (!SampleOrder.Samplers.Contains(Sampler))
        {
            throw new ArgumentException($"Unknown sampler '{Sampler}'; expected random or weighted.");
        }
        var known = task.MetricNames;
        var unknown = SelectionMetrics.Where(m => m != "loss" && !known.Contains(m)).ToList();
        if (unknown.Count > 0 || SelectionMetrics.Count == 0)
        {
            throw new ArgumentException($"Selection metrics {string.Join(", ", unknown)} are not {NetworkTask} metrics; choose among loss, {string.Join(", ", known)}.");
        }
        if (Epochs < 1 || BatchSize < 1 || AccumulationSteps < 1)
        {
            throw new ArgumentException($"Epochs, batch size and accumulation steps must be at least 1; got {Epochs}, {BatchSize}, {AccumulationSteps}.");
        }
        ValidateRanges();
        if (IsRandomArchitecture)
        {
            ValidateRandomArchitecture();
        }
        Augmentation.Augmentations.Validate(DataAugmentation);
        // Options this build cannot honour are refused, never silently ignored.
        (bool Set, string Why)[] unavailable =
        [
            (EvaluationSteps > 0, "evaluation_steps > 0: this module evaluates after every epoch only"),
            (MultiNetwork && parts is null, "multi_network trains one network per patch, slice or region: it needs an extraction of parts (-ExtractJson)"),
            (NbUnfrozenLayer > 0 && TransferPath is null, "nb_unfrozen_layer > 0 freezes the layers of a transferred model: it needs transfer_path"),
            (MultiCohort, "multi_cohort is not available yet"),
            (Profiler, "profiler is not available"),
            (EmissionsCalculator, "emissions_calculator is not available"),
            (TrackExp.Length > 0, "track_exp (wandb, mlflow) is not available"),
        ];
        var refused = unavailable.Where(u => u.Set).Select(u => u.Why).Concat(ClinicaDLOnlyKeys.Unhonoured(ClinicaDLOnlyValues))
            .Concat(DomainAdaptationSettings.Unhonoured(this)).ToList();
        if (refused.Count > 0)
        {
            throw new ArgumentException($"These options cannot be honoured: {string.Join("; ", refused)}.");
        }
        DomainAdaptationSettings.CheckTargetData(this);
    }

    private void ValidateRanges()
    {
        var losses = Task.Losses;
        if (!losses.Contains(ResolvedLoss, StringComparer.Ordinal))
        {
            throw new ArgumentException($"loss: '{ResolvedLoss}' is not a {NetworkTask} loss; {NetworkTask} takes {string.Join(", ", losses)}.", "loss");
        }
        var variationalLoss = LossFunction.Variational.Contains(ResolvedLoss);
        if (Networks.NetworkRegistry.IsVariational(ResolvedArchitecture) != variationalLoss && !Networks.NetworkRegistry.OwnsLoss(ResolvedArchitecture))
        {
            throw new ArgumentException(variationalLoss
                ? $"loss: {ResolvedLoss} needs the code's mean and variance, which only a VAE network gives; {ResolvedArchitecture} is not one (VAEs: {string.Join(", ", Networks.NetworkRegistry.Names.Where(Networks.NetworkRegistry.IsVariational))})."
                : $"loss: {ResolvedArchitecture} is a VAE, trained with reconstruction and KL terms: choose {string.Join(", ", LossFunction.Variational)}, not {ResolvedLoss}.", "loss");
        }
        (bool Wrong, string Key, string Expected, object Value)[] ranges =
        [
            (!(LearningRate > 0) || double.IsInfinity(LearningRate), "learning_rate", "a positive number", LearningRate),
            (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay), "weight_decay", "zero or a positive number", WeightDecay),
            (!(Dropout >= 0 && Dropout < 1), "dropout", "a probability in [0, 1)", Dropout),
            (!(Tolerance >= 0) || double.IsInfinity(Tolerance), "tolerance", "zero or a positive number", Tolerance),
            (Patience < 0, "patience", "zero (no early stopping) or a number of epochs", Patience),
            (Threads < 0, "threads", "zero (libtorch's default) or a number of threads", Threads),
            (NProc < 1, "n_proc", "at least 1", NProc),
            (BootstrapResamples < 0, "bootstrap_resamples", "zero (no intervals) or a number of resamples", BootstrapResamples),
            (LatentSpaceSize < 1, "latent_space_size", "at least 1", LatentSpaceSize),
            (FeatureSize < 0, "feature_size", "zero (none, Vanilla3DdenseVAE) or a number of features", FeatureSize),
            (NConv < 1, "n_conv", "at least 1", NConv),
            (IoLayerChannels < 1, "io_layer_channels", "at least 1", IoLayerChannels),
            (!(ReconsWeight >= 0) || double.IsInfinity(ReconsWeight), "recons_weight", "zero or a positive number", ReconsWeight),
            (!(KlWeight >= 0) || double.IsInfinity(KlWeight), "kl_weight", "zero or a positive number", KlWeight),
            (NbUnfrozenLayer < 0, "nb_unfrozen_layer", "zero (all layers trainable) or a number of layers", NbUnfrozenLayer),
            (SizeReduction && SizeReductionFactor is < 2 or > 5, "size_reduction_factor", "2, 3, 4 or 5 (as ClinicaDL)", SizeReductionFactor),
            (Compensation is not ("memory" or "time"), "compensation", "memory or time", Compensation),
            (TrainingConfig.DeviceName.IsMatch(Device.Trim()) is false, "device", "cpu, cuda or cuda:N", Device),
            (Split.Any(s => s < 0), "split", "split numbers from 0", string.Join(", ", Split)),
            (!Training.LearningRateSchedule.Names.Contains(LearningRateSchedule), "learning_rate_schedule", string.Join(", ", Training.LearningRateSchedule.Names), LearningRateSchedule),
            (LearningRateStepSize < 1, "learning_rate_step_size", "a number of epochs, at least 1", LearningRateStepSize),
            (!(LearningRateGamma > 0 && LearningRateGamma <= 1), "learning_rate_gamma", "a factor in (0, 1]", LearningRateGamma),
            (!(LearningRateMin >= 0 && LearningRateMin < LearningRate), "learning_rate_min", $"zero or a positive number below learning_rate ({LearningRate})", LearningRateMin),
            (LearningRateWarmupEpochs < 0 || LearningRateWarmupEpochs >= Epochs, "learning_rate_warmup_epochs", $"zero or fewer epochs than epochs ({Epochs}), leaving the schedule at least one", LearningRateWarmupEpochs),
        ];
        var wrong = ranges.Where(r => r.Wrong).ToList();
        if (wrong.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", wrong.Select(r => $"{r.Key}: expected {r.Expected}; got {r.Value}.")), wrong[0].Key);
        }
        if (AdaptiveLearningRate && (LearningRateSchedule != Training.LearningRateSchedule.Constant || LearningRateWarmupEpochs > 0))
        {
            // ClinicaDL's plateau reduction sets every epoch's rate from the validation loss: two rules for one rate would each undo the other.
            var other = LearningRateSchedule != Training.LearningRateSchedule.Constant
                ? $"learning_rate_schedule = {LearningRateSchedule}" : $"learning_rate_warmup_epochs = {LearningRateWarmupEpochs}";
            throw new ArgumentException($"adaptive_learning_rate lowers the rate when the validation loss stops improving; it cannot be combined with {other}: " +
                "use the constant schedule without warm-up, or turn adaptive_learning_rate off.", "adaptive_learning_rate");
        }
    }

    /// <summary>
    /// RandomArchitecture's keys, checked before anything is written: both convolutions_dict and n_fcblocks given
    /// (there are no defaults: a random search's trial gives them), the blocks in ClinicaDL's form, at least one
    /// fully connected block, and a normalisation ClinicaDL knows.
    /// </summary>
    private void ValidateRandomArchitecture()
    {
        var missing = new[] { (ConvolutionsDict is null, "convolutions_dict"), (NFcBlocks is null, "n_fcblocks") }.Where(m => m.Item1).Select(m => m.Item2).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"architecture RandomArchitecture is built from convolutions_dict and n_fcblocks; the configuration lacks {string.Join(" and ", missing)}. " +
                $"Give them in the -ConfigPath file as a random search's trial does, e.g. in JSON \"convolutions_dict\": {Networks.ConvolutionBlock.Example}, \"n_fcblocks\": 2 " +
                "(in TOML, under [Architecture]: n_fcblocks = 2 and a [Architecture.convolutions_dict.conv0] table per block).", missing[0]);
        }
        Networks.ConvolutionBlock.Parse(ConvolutionsDict);
        if (NFcBlocks < 1)
        {
            throw new ArgumentException($"n_fcblocks: expected a number of fully connected blocks, at least 1; got {NFcBlocks}.", "n_fcblocks");
        }
        if (NetworkNormalization is { } normalization && !Networks.RandomArchitecture.Normalizations.Contains(normalization, StringComparer.Ordinal))
        {
            throw new ArgumentException($"network_normalization: expected {string.Join(", ", Networks.RandomArchitecture.Normalizations)} or none (null in JSON, \"None\" in TOML), as ClinicaDL spells them; got '{normalization}'.", "network_normalization");
        }
    }

    private static readonly System.Text.RegularExpressions.Regex DeviceName = new("^(?i:cpu|cuda(:[0-9]+)?)$");

    /// <summary>The maps.json key listing the leakage findings a training ran with under <see cref="DataLeakageOverride"/>.</summary>
    public const string LeakageFindingsKey = "data_leakage_findings";

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNameCaseInsensitive = false };

    /// <summary>
    /// Defaults, then a file (TOML or JSON, as told by its extension), then the overrides, in that order. Relative data
    /// paths (caps_directory, tsv_path, transfer_path and the SSDA target paths) are found from
    /// <paramref name="baseDirectory"/> when given: a PowerShell session's location, which is not the process's current
    /// directory .NET would use. (A relative architecture file is found from the configuration file's folder.)
    /// </summary>
    public static TrainingConfig Build(string? configPath, IReadOnlyDictionary<string, object?> overrides, ICollection<string>? notes = null, string? baseDirectory = null)
    {
        var values = new JsonObject();
        if (configPath is not null)
        {
            var task = overrides.TryGetValue("network_task", out var named) && named is string name ? name : "classification";
            var file = configPath.EndsWith(".toml", StringComparison.OrdinalIgnoreCase) ? FromToml(configPath, task) : FromJson(configPath);
            foreach (var (key, value) in file)
            {
                values[key] = value?.DeepClone();
            }
        }
        var config = FromValues(values, overrides, notes, configPath);
        config.ArchitectureFolder = configPath is null ? null : Path.GetDirectoryName(Path.GetFullPath(configPath));
        if (baseDirectory is not null)
        {
            string? Full(string? path) => string.IsNullOrEmpty(path) ? path : Path.GetFullPath(path, baseDirectory);
            (config.CapsDirectory, config.TsvPath, config.TransferPath) = (Full(config.CapsDirectory), Full(config.TsvPath), Full(config.TransferPath));
            (config.CapsTarget, config.TsvTargetLab, config.TsvTargetUnlab) = (Full(config.CapsTarget)!, Full(config.TsvTargetLab)!, Full(config.TsvTargetUnlab)!);
        }
        return config;
    }

    /// <summary>The configuration a MAPS was trained with, from its parsed maps.json (<paramref name="path"/> names it in errors).</summary>
    public static TrainingConfig FromMapsDescription(JsonObject description, string path)
    {
        var config = FromValues(description.DeepClone().AsObject(), new Dictionary<string, object?>(), null, path);
        config.ArchitectureFolder = Path.GetDirectoryName(Path.GetFullPath(path));
        return config;
    }

    private static TrainingConfig FromValues(JsonObject values, IReadOnlyDictionary<string, object?> overrides, ICollection<string>? notes, string? configPath)
    {
        foreach (var (key, value) in overrides)
        {
            values[key] = JsonSerializer.SerializeToNode(value);
        }
        var clinicaOnly = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var unknown = new List<string>();
        foreach (var key in values.Select(v => v.Key).ToList())
        {
            if (key == LeakageFindingsKey)
            {
                // A record of what the override let through, written by training: not a setting to replay.
                values.Remove(key);
                continue;
            }
            if (!Properties.TryGetValue(key, out var property))
            {
                if (ClinicaDLOnlyKeys.Contains(key))
                {
                    clinicaOnly[key] = values[key]?.DeepClone();
                }
                else
                {
                    unknown.Add(key);
                }
                values.Remove(key);
                continue;
            }
            // ClinicaDL writes false or "" for an absent path (its path_decoder reads both as no path), and false for no augmentation.
            if (values[key] is JsonValue flag && ((flag.TryGetValue<bool>(out var b) && !b) || (flag.TryGetValue<string>(out var text) && text.Length == 0))
                && key is "transfer_path" or "caps_directory" or "tsv_path" or "caps_target" or "tsv_target_lab" or "tsv_target_unlab")
            {
                values[key] = null;
            }
            // ClinicaDL writes null where a task has no such setting (label_code, selection_threshold of a regression): the default here.
            if (values[key] is null && !AcceptsNull(property))
            {
                values.Remove(key);
                continue;
            }
            if (key == "data_augmentation" && values[key] is JsonValue augmentation && augmentation.TryGetValue<bool>(out _))
            {
                values[key] = new JsonArray();
            }
        }
        try
        {
            var config = values.Deserialize<TrainingConfig>(Options) ?? new TrainingConfig();
            config.ClinicaDLOnlyValues = clinicaOnly;
            // TOML has no null: "None" is its spelling of ClinicaDL's None (no normalisation), which maps.json writes as null.
            if (config.NetworkNormalization == "None")
            {
                config.NetworkNormalization = null;
            }
            var unread = config.IsRandomArchitecture ? [] : RandomArchitectureKeys.Where(values.ContainsKey).ToList();
            if (ClinicaDLOnlyKeys.Note(clinicaOnly, unknown, unread.Count == 0 ? null : [$"{string.Join(", ", unread)} (read only by RandomArchitecture, not by {config.ResolvedArchitecture})"]) is { } note)
            {
                notes?.Add(note);
            }
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

    /// <summary>The settings by their ClinicaDL key.</summary>
    private static readonly Dictionary<string, System.Reflection.PropertyInfo> Properties = typeof(TrainingConfig).GetProperties()
        .Select(p => (Property: p, Name: p.GetCustomAttributes(typeof(JsonPropertyNameAttribute), false).OfType<JsonPropertyNameAttribute>().FirstOrDefault()?.Name))
        .Where(p => p.Name is not null).ToDictionary(p => p.Name!, p => p.Property, StringComparer.Ordinal);

    private static bool AcceptsNull(System.Reflection.PropertyInfo property) =>
        !property.PropertyType.IsValueType && new System.Reflection.NullabilityInfoContext().Create(property).WriteState != System.Reflection.NullabilityState.NotNull;

    /// <summary>A maps.json or a JSON train configuration: one object of keys.</summary>
    private static JsonObject FromJson(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new ArgumentException($"'{path}' holds no JSON object of configuration keys.");
        }
        catch (JsonException error)
        {
            throw new ArgumentException($"'{path}' is not valid JSON: {error.Message}", error);
        }
    }

    /// <summary>
    /// ClinicaDL's TOML has sections ([Model], [Optimization]...) over flat keys: the sections are dropped, and of the
    /// task sections ([Classification], [Regression], [Reconstruction], each with its own label and loss) only the
    /// task's is read, as ClinicaDL's remove_unused_tasks does.
    /// </summary>
    private static JsonObject FromToml(string path, string task)
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
        foreach (var (sectionName, section) in table)
        {
            if (TrainingTask.All.Any(t => t.Name.Equals(sectionName, StringComparison.OrdinalIgnoreCase)) && !sectionName.Equals(task, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
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
