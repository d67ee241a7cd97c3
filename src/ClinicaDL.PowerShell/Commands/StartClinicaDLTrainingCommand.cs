using System.Management.Automation;
using ClinicaDL.Core.Extraction;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Networks;
using ClinicaDL.Core.Runtime;
using ClinicaDL.Core.Splits;
using ClinicaDL.Core.Training;
using ClinicaDL.Core.Workflows;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Trains a network (ClinicaDL <c>train</c>) into a MAPS, on whole images or on the parts of an extraction; every key of ClinicaDL's train
/// configuration is a parameter with ClinicaDL's default, a TOML or maps.json can supply them, and parameters
/// given on the command line win. Emits one <see cref="TrainingResult"/> per split. Piped splits (New-ClinicaDLSplit's
/// output, folder items) bind to -TsvPath, and the folds of one k-fold folder train together into one MAPS.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "ClinicaDLTraining", SupportsShouldProcess = true)]
[OutputType(typeof(TrainingResult), typeof(ClinicaDL.Core.Cluster.ClusterJob))]
public sealed class StartClinicaDLTrainingCommand : TrainingCmdlet
{
    [Parameter(Position = 0)]
    [Alias("CapsDirectory")]
    public string? CapsPath { get; set; }

    /// <summary>
    /// A split folder (train.tsv, validation_baseline.tsv) or a k-fold folder (split-0, split-1...). Splits bind by
    /// their Path, folder items by their PSPath.
    /// </summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Path", "PSPath")]
    public string? TsvPath { get; set; }

    /// <summary>The MAPS folder to create (-MapsPath, as every other cmdlet names a MAPS; -OutputPath is the older name).</summary>
    [Parameter(Mandatory = true, Position = 2)]
    [Alias("OutputPath")]
    public string MapsPath { get; set; } = "";

    /// <summary>The -TsvPath of each pipeline object (or of the command line), in order.</summary>
    private readonly List<string> _tsvPaths = [];

    [Parameter]
    [ValidateSet("Classification", "Regression", "Reconstruction")]
    public string Task { get; set; } = "Classification";

    /// <summary>
    /// An extraction JSON of the CAPS (tensor_extraction/&lt;name&gt;, from Export-ClinicaDLTensor): the run trains
    /// on its mode (image, patch, slice or roi) and preprocessing, as ClinicaDL's train PREPROCESSING_JSON.
    /// </summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.ExtractJsonCompleter))]
    public string? ExtractJson { get; set; }

    /// <summary>A ClinicaDL train_config.toml or a MAPS' maps.json (to replay an experiment).</summary>
    [Parameter]
    public string? ConfigPath { get; set; }

    [Parameter] [ArgumentCompleter(typeof(Completers.NetworkCompleter))] public string? Architecture { get; set; }
    [Parameter] public double Dropout { get; set; }
    [Parameter] public int LatentSpaceSize { get; set; }
    [Parameter] [ArgumentCompleter(typeof(Completers.SelectionMetricCompleter))] [Alias("SelectionMetrics")] public string[]? SelectionMetric { get; set; }
    [Parameter] public string? Label { get; set; }
    [Parameter] public string? Loss { get; set; }
    [Parameter] public int BatchSize { get; set; }
    [Parameter] public int Epochs { get; set; }
    [Parameter] public double LearningRate { get; set; }

    /// <summary>Our learning_rate_schedule: constant, step (see -LearningRateStepSize, -LearningRateGamma) or cosine (see -LearningRateMin).</summary>
    [Parameter] [ValidateSet("constant", "step", "cosine")] public string? LearningRateSchedule { get; set; }
    [Parameter] public int LearningRateStepSize { get; set; }
    [Parameter] public double LearningRateGamma { get; set; }
    [Parameter] public double LearningRateMin { get; set; }
    [Parameter] public int LearningRateWarmupEpochs { get; set; }
    [Parameter] public double WeightDecay { get; set; }
    [Parameter] [ValidateSet("Adam", "AdamW", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax")] public string? Optimizer { get; set; }
    [Parameter] public int Patience { get; set; }
    [Parameter] public double Tolerance { get; set; }
    [Parameter] public int AccumulationSteps { get; set; }
    [Parameter] public SwitchParameter Normalize { get; set; }
    [Parameter] public SwitchParameter SizeReduction { get; set; }
    [Parameter] public int SizeReductionFactor { get; set; }
    [Parameter]
    [ValidateSet("None", "Noise", "Erasing", "CropPad", "Smoothing", "Motion", "Ghosting", "Spike", "BiasField", "RandomBlur", "RandomSwap")]
    public string[]? DataAugmentation { get; set; }
    [Parameter] [ValidateSet("random", "weighted")] public string? Sampler { get; set; }
    [Parameter] public int Seed { get; set; }
    [Parameter] public SwitchParameter Deterministic { get; set; }
    [Parameter] public string? Device { get; set; }
    [Parameter] public int Threads { get; set; }
    [Parameter] [ArgumentCompleter(typeof(Completers.PreprocessingCompleter))] public string? Preprocessing { get; set; }
    [Parameter] [ArgumentCompleter(typeof(Completers.DiagnosisCompleter))] [Alias("Diagnoses")] public string[]? Diagnosis { get; set; }
    [Parameter] public SwitchParameter Baseline { get; set; }
    [Parameter] public SwitchParameter ValidLongitudinal { get; set; }
    [Parameter] public int[]? Split { get; set; }
    [Parameter] public string? TransferPath { get; set; }
    [Parameter] public string? TransferSelectionMetric { get; set; }
    [Parameter] public int BootstrapResamples { get; set; }
    [Parameter] public SwitchParameter MultiNetwork { get; set; }

    /// <summary>ClinicaDL's semi-supervised domain adaptation (ssda_network) with the Conv5_FC3_SSDA network and the four target keys below.</summary>
    [Parameter] public SwitchParameter SsdaNetwork { get; set; }

    /// <summary>caps_target: the CAPS of the target domain.</summary>
    [Parameter] public string? TargetCapsPath { get; set; }

    /// <summary>tsv_target_lab: a split folder of labelled target sessions, read as -TsvPath (the same splits).</summary>
    [Parameter] public string? TargetTsvPath { get; set; }

    /// <summary>tsv_target_unlab: a TSV of unlabelled target sessions (participant_id, session_id).</summary>
    [Parameter] public string? TargetUnlabeledTsvPath { get; set; }

    /// <summary>preprocessing_dict_target: an extraction JSON of the target CAPS (tensor_extraction/&lt;name&gt;), of whole images.</summary>
    [Parameter] public string? TargetExtractJson { get; set; }
    [Parameter] public double SelectionThreshold { get; set; }
    [Parameter] public SwitchParameter Gpu { get; set; }
    [Parameter] public int NProc { get; set; }
    [Parameter] public int EvaluationSteps { get; set; }
    [Parameter] public SwitchParameter Amp { get; set; }
    [Parameter] [ValidateSet("memory", "time")] public string? Compensation { get; set; }
    [Parameter] public string? TrackExp { get; set; }
    [Parameter] public int NbUnfrozenLayer { get; set; }
    [Parameter] public SwitchParameter MultiCohort { get; set; }
    [Parameter] public SwitchParameter AdaptiveLearningRate { get; set; }
    [Parameter] public SwitchParameter Profiler { get; set; }
    [Parameter] public SwitchParameter SaveAllModels { get; set; }
    [Parameter] public SwitchParameter EmissionsCalculator { get; set; }

    /// <summary>Replace an existing MAPS (only a MAPS holding nothing but a MAPS' files; anything else is refused).</summary>
    [Parameter]
    public SwitchParameter Overwrite { get; set; }

    /// <summary>Replace without asking (as -Confirm:$false); never widens what is replaced.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Train although the split fails the leakage checks that apply to it; recorded in maps.json and information.log.</summary>
    [Parameter]
    public SwitchParameter AllowDataLeakage { get; set; }

    protected override void Process()
    {
        if (TsvPath is not null)
        {
            _tsvPaths.Add(ProviderPath(TsvPath));
        }
    }

    protected override void End()
    {
        var output = ProviderPath(MapsPath);
        var notes = new List<string>();
        TrainingConfig config;
        try
        {
            config = TrainingConfig.Build(ConfigPath is null ? null : ProviderPath(ConfigPath), Overrides(), notes, SessionState.Path.CurrentFileSystemLocation.ProviderPath);
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            ThrowTerminatingError(ToErrorRecord(error, ConfigPath));
            return;
        }
        notes.ForEach(WriteWarning);
        if (!ShouldProcess(output, $"Train {config.ResolvedArchitecture} ({config.NetworkTask}) for {config.Epochs} epoch(s)")
            || (Overwrite && !ConfirmReplace(output, "MAPS", Force)))
        {
            return;
        }
        if (!RunsParts)
        {
            RunTraining("Start-ClinicaDLTraining", output, (progress, log, token) =>
                Trainer.Train(config, output, Overwrite, HostDescription(), progress, log, token));
            return;
        }
        IReadOnlyList<int> splits = [];
        try
        {
            // Each part trains with the cores it is given; maps.json records the count, which decides the bits.
            if (config.Threads == 0)
            {
                config.Threads = CoresPerPart;
            }
            var host = HostDescription();
            splits = BackgroundWork.Run<IReadOnlyList<int>, string>(this, (_, log) => Trainer.Prepare(config, output, Overwrite, host, log, StopToken), _ => { });
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            ThrowTerminatingError(ToErrorRecord(error, output));
        }
        RunSplits(output, splits, $"Start-ClinicaDLTraining: split(s) {string.Join(", ", splits)} of the MAPS '{output}', one per task.");
    }

    /// <summary>The configuration keys given on the command line, by ClinicaDL's names.</summary>
    private Dictionary<string, object?> Overrides()
    {
        var bound = MyInvocation.BoundParameters;
        var values = new Dictionary<string, object?> { ["network_task"] = Task.ToLowerInvariant() };
        void Set(string parameter, string key, object? value)
        {
            if (bound.ContainsKey(parameter))
            {
                values[key] = value;
            }
        }
        Set(nameof(CapsPath), "caps_directory", CapsPath is null ? null : ProviderPath(CapsPath));
        if (_tsvPaths.Count > 0)
        {
            // The folds of a k-fold folder, piped one by one, are that folder with their indices.
            var (tsvPath, splits) = SplitFolders.Combine(_tsvPaths);
            values["tsv_path"] = tsvPath;
            if (splits is not null)
            {
                values["split"] = bound.ContainsKey(nameof(Split))
                    ? throw new ArgumentException($"Folds {string.Join(", ", splits)} came through the pipeline and -Split names others; give one or the other.")
                    : splits.ToArray();
            }
        }
        // A network file given here is found from the current location, not from the -ConfigPath's folder.
        Set(nameof(Architecture), "architecture", Architecture is not null && (NetworkFile.IsNetworkFile(Architecture) || TorchScriptNetwork.IsTorchScript(Architecture)) ? ProviderPath(Architecture) : Architecture);
        Set(nameof(Dropout), "dropout", Dropout);
        Set(nameof(LatentSpaceSize), "latent_space_size", LatentSpaceSize);
        Set(nameof(SelectionMetric), "selection_metrics", SelectionMetric);
        Set(nameof(Label), "label", Label);
        Set(nameof(Loss), "loss", Loss);
        Set(nameof(BatchSize), "batch_size", BatchSize);
        Set(nameof(Epochs), "epochs", Epochs);
        Set(nameof(LearningRate), "learning_rate", LearningRate);
        // ValidateSet matches without case; the key holds the engine's spelling.
        Set(nameof(LearningRateSchedule), "learning_rate_schedule", LearningRateSchedule?.ToLowerInvariant());
        Set(nameof(LearningRateStepSize), "learning_rate_step_size", LearningRateStepSize);
        Set(nameof(LearningRateGamma), "learning_rate_gamma", LearningRateGamma);
        Set(nameof(LearningRateMin), "learning_rate_min", LearningRateMin);
        Set(nameof(LearningRateWarmupEpochs), "learning_rate_warmup_epochs", LearningRateWarmupEpochs);
        Set(nameof(WeightDecay), "weight_decay", WeightDecay);
        Set(nameof(Optimizer), "optimizer", Optimizer);
        Set(nameof(Patience), "patience", Patience);
        Set(nameof(Tolerance), "tolerance", Tolerance);
        Set(nameof(AccumulationSteps), "accumulation_steps", AccumulationSteps);
        Set(nameof(Normalize), "normalize", Normalize.IsPresent);
        Set(nameof(SizeReduction), "size_reduction", SizeReduction.IsPresent);
        Set(nameof(SizeReductionFactor), "size_reduction_factor", SizeReductionFactor);
        Set(nameof(DataAugmentation), "data_augmentation", DataAugmentation);
        Set(nameof(Sampler), "sampler", Sampler);
        Set(nameof(Seed), "seed", Seed);
        Set(nameof(Deterministic), "deterministic", Deterministic.IsPresent);
        Set(nameof(Device), "device", Device);
        Set(nameof(Threads), "threads", Threads);
        Set(nameof(Preprocessing), "preprocessing", Preprocessing);
        Set(nameof(Diagnosis), "diagnoses", Diagnosis);
        Set(nameof(Baseline), "baseline", Baseline.IsPresent);
        Set(nameof(ValidLongitudinal), "valid_longitudinal", ValidLongitudinal.IsPresent);
        Set(nameof(Split), "split", Split);
        Set(nameof(TransferPath), "transfer_path", TransferPath is null ? null : ProviderPath(TransferPath));
        Set(nameof(TransferSelectionMetric), "transfer_selection_metric", TransferSelectionMetric);
        Set(nameof(BootstrapResamples), "bootstrap_resamples", BootstrapResamples);
        Set(nameof(MultiNetwork), "multi_network", MultiNetwork.IsPresent);
        Set(nameof(SsdaNetwork), "ssda_network", SsdaNetwork.IsPresent);
        Set(nameof(TargetCapsPath), "caps_target", TargetCapsPath is null ? null : ProviderPath(TargetCapsPath));
        Set(nameof(TargetTsvPath), "tsv_target_lab", TargetTsvPath is null ? null : ProviderPath(TargetTsvPath));
        Set(nameof(TargetUnlabeledTsvPath), "tsv_target_unlab", TargetUnlabeledTsvPath is null ? null : ProviderPath(TargetUnlabeledTsvPath));
        Set(nameof(TargetExtractJson), "preprocessing_dict_target", TargetExtractJson);
        Set(nameof(SelectionThreshold), "selection_threshold", SelectionThreshold);
        Set(nameof(Gpu), "gpu", Gpu.IsPresent);
        Set(nameof(NProc), "n_proc", NProc);
        Set(nameof(EvaluationSteps), "evaluation_steps", EvaluationSteps);
        Set(nameof(Amp), "amp", Amp.IsPresent);
        Set(nameof(Compensation), "compensation", Compensation);
        Set(nameof(TrackExp), "track_exp", TrackExp);
        Set(nameof(NbUnfrozenLayer), "nb_unfrozen_layer", NbUnfrozenLayer);
        Set(nameof(MultiCohort), "multi_cohort", MultiCohort.IsPresent);
        Set(nameof(AdaptiveLearningRate), "adaptive_learning_rate", AdaptiveLearningRate.IsPresent);
        Set(nameof(Profiler), "profiler", Profiler.IsPresent);
        Set(nameof(SaveAllModels), "save_all_models", SaveAllModels.IsPresent);
        Set(nameof(EmissionsCalculator), "emissions_calculator", EmissionsCalculator.IsPresent);
        Set(nameof(AllowDataLeakage), "data_leakage_override", AllowDataLeakage.IsPresent);
        if (ExtractJson is not null)
        {
            var caps = CapsPath is null ? throw new ArgumentException("-ExtractJson names a file of the CAPS: give -CapsPath too.") : ProviderPath(CapsPath);
            foreach (var (key, value) in ExtractionOptions.TrainingKeys(caps, ExtractJson, Preprocessing))
            {
                values[key] = value;
            }
        }
        return values;
    }
}
