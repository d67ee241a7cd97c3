using ClinicaDL.Core.Splits;

namespace ClinicaDL.Core.Maps;

/// <summary>
/// The paths of one split-&lt;k&gt;/ folder of a MAPS, as ClinicaDL lays it out: training logs, the tmp/ folder of
/// an unfinished training (checkpoints), best-&lt;metric&gt;/ models and each data group's results under them.
/// </summary>
public sealed class SplitLayout(string mapsRoot, int split)
{
    public int Index { get; } = split;
    public string Root { get; } = Path.Combine(mapsRoot, SplitFolderName.Of(split));

    /// <summary>
    /// Where each run of this split ran (node, SLURM job, threads, device, software), one section per start or resume:
    /// the MAPS' own environment.txt describes only the process that created it.
    /// </summary>
    public string Environment => Path.Combine(Root, "environment.txt");

    private string TrainingLogs => Path.Combine(Root, "training_logs");

    /// <summary>The split's training.tsv, or with multi_network that of network n (training_logs/network-n/training.tsv).</summary>
    public string TrainingLog(int? network = null) =>
        network is null ? Path.Combine(TrainingLogs, "training.tsv") : Path.Combine(TrainingLogs, $"network-{network}", "training.tsv");

    /// <summary>Semi-supervised domain adaptation's log of the target data (training_logs/training_target.tsv), beside training.tsv.</summary>
    public string TrainingTargetLog => Path.Combine(TrainingLogs, "training_target.tsv");

    /// <summary>
    /// The folder of a TensorBoard run, "train" or "validation", beside the split's training.tsv (tensorboard/&lt;run&gt;),
    /// or with multi_network beside network n's (network-n/tensorboard/&lt;run&gt;), where ClinicaDL's LogWriter puts it.
    /// </summary>
    public string TensorBoard(string run, int? network = null) =>
        network is null ? Path.Combine(TrainingLogs, "tensorboard", run) : Path.Combine(TrainingLogs, $"network-{network}", "tensorboard", run);

    /// <summary>The training logs the split has: its training.tsv, or each network's with multi_network, in network order.</summary>
    public IReadOnlyList<(int? Network, string Path)> TrainingLogFiles()
    {
        if (File.Exists(TrainingLog()))
        {
            return [(null, TrainingLog())];
        }
        return Directory.Exists(TrainingLogs)
            ? Directory.EnumerateDirectories(TrainingLogs, "network-*")
                .Select(d => int.TryParse(Path.GetFileName(d)[8..], out var n) ? (int?)n : null).OfType<int>()
                .Order().Select(n => ((int?)n, TrainingLog(n))).Where(l => File.Exists(l.Item2)).ToList()
            : [];
    }

    /// <summary>Exists from a split's first moment to the end of its summary: a split without it is complete.</summary>
    public string Temporary => Path.Combine(Root, "tmp");

    /// <summary>Written in tmp/ when a network's training has ended (completed or stopped early), so a resumed run skips it.</summary>
    public string TrainingEnded(int? network = null) => Path.Combine(Temporary, network is null ? "training.ended" : $"network-{network}_training.ended");

    /// <summary>
    /// Whether the split's training is over: no tmp/ and, for every network, a best model of every selection metric
    /// (best models alone do not say so: a run stopped in its first epoch has them).
    /// </summary>
    public bool IsTrained(IReadOnlyList<int?> networks, IReadOnlyList<string> selectionMetrics) =>
        Directory.Exists(Root) && !Directory.Exists(Temporary) && networks.All(n => selectionMetrics.All(m => FindBestModel(m, n) is not null));

    public string Checkpoint(int? network = null) => Path.Combine(Temporary, network is null ? "checkpoint.pt" : $"network-{network}_checkpoint.pt");

    /// <summary>The model of every epoch, kept with save_all_models (ClinicaDL's all_models/ folder).</summary>
    public string EpochModel(int? network, int epoch) =>
        Path.Combine(Root, "all_models", $"{(network is null ? "" : $"network-{network}_")}model_epoch_{epoch}.pt");

    public string Best(string metric) => Path.Combine(Root, $"best-{metric}");

    /// <summary>The kept model, or with multi_network that of network n (ClinicaDL's network-n_model name).</summary>
    public string BestModel(string metric, int? network = null) => Path.Combine(Best(metric), network is null ? "model.pt" : $"network-{network}_model.pt");

    /// <summary>The same model in ClinicaDL's file (model.pth.tar, network-n_model.pth.tar), which a MAPS of ClinicaDL's has instead.</summary>
    public string ClinicaDlModel(string metric, int? network = null) => Path.ChangeExtension(BestModel(metric, network), ModelFile.ClinicaDlExtension);

    /// <summary>The kept model's file: this module's when there is one, else ClinicaDL's; null when the split kept none.</summary>
    public string? FindBestModel(string metric, int? network = null) =>
        File.Exists(BestModel(metric, network)) ? BestModel(metric, network) : File.Exists(ClinicaDlModel(metric, network)) ? ClinicaDlModel(metric, network) : null;

    /// <summary>With multi_network, the networks whose model best-&lt;metric&gt;/ kept (this module's file or ClinicaDL's), in order.</summary>
    public IReadOnlyList<int> KeptNetworks(string metric) => Directory.Exists(Best(metric))
        ? Directory.EnumerateFiles(Best(metric), "network-*_model.*")
            .Select(f => Path.GetFileName(f)["network-".Length..].Split('_')[0])
            .Select(n => int.TryParse(n, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) ? (int?)i : null)
            .OfType<int>().Where(n => FindBestModel(metric, n) is not null).Distinct().Order().ToList()
        : [];

    /// <summary>The selection metrics that have a best-&lt;metric&gt;/ folder, by name.</summary>
    public IReadOnlyList<string> BestMetrics() => Directory.Exists(Root)
        ? Directory.EnumerateDirectories(Root, "best-*").Select(d => Path.GetFileName(d)[5..]).Order(StringComparer.Ordinal).ToList()
        : [];

    public string Results(string metric, string group) => Path.Combine(Best(metric), group);

    /// <summary>The data groups with a result folder under best-&lt;metric&gt;/, by name.</summary>
    public IReadOnlyList<string> ResultGroups(string metric) => Directory.Exists(Best(metric))
        ? Directory.EnumerateDirectories(Best(metric)).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList()
        : [];

    public string Predictions(string metric, string group, string level = "image") => Path.Combine(Results(metric, group), $"{group}_{level}_level_prediction.tsv");
    public string MetricsTable(string metric, string group, string level = "image") => Path.Combine(Results(metric, group), $"{group}_{level}_level_metrics.tsv");
}
