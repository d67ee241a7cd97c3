namespace ClinicaDL.Core.Maps;

/// <summary>The paths of a MAPS folder, as ClinicaDL lays it out.</summary>
public sealed class MapsLayout(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string MapsJson => Path.Combine(Root, "maps.json");
    public string Environment => Path.Combine(Root, "environment.txt");
    public string InformationLog => Path.Combine(Root, "information.log");
    public string Groups => Path.Combine(Root, "groups");
    public string TrainValidation => Path.Combine(Groups, "train+validation.tsv");

    /// <summary>Where Export-MapsReport writes by default.</summary>
    public string Report => Path.Combine(Root, "report");

    public string Group(string group) => Path.Combine(Groups, group);
    public string GroupSplit(string group, int split) => Path.Combine(Groups, group, $"split-{split}");
    public string Split(int split) => Path.Combine(Root, $"split-{split}");
    /// <summary>A split's training.tsv, or with multi_network that of network n (training_logs/network-n/training.tsv).</summary>
    public string TrainingLog(int split, int? network = null) =>
        network is null ? Path.Combine(Split(split), "training_logs", "training.tsv") : Path.Combine(Split(split), "training_logs", $"network-{network}", "training.tsv");
    /// <summary>The training logs a split has: its training.tsv, or each network's with multi_network, in network order.</summary>
    public IReadOnlyList<(int? Network, string Path)> TrainingLogs(int split)
    {
        if (File.Exists(TrainingLog(split)))
        {
            return [(null, TrainingLog(split))];
        }
        var folder = Path.Combine(Split(split), "training_logs");
        return Directory.Exists(folder)
            ? Directory.EnumerateDirectories(folder, "network-*")
                .Select(d => int.TryParse(Path.GetFileName(d)[8..], out var n) ? (int?)n : null).OfType<int>()
                .Order().Select(n => ((int?)n, TrainingLog(split, n))).Where(l => File.Exists(l.Item2)).ToList()
            : [];
    }

    public string Temporary(int split) => Path.Combine(Split(split), "tmp");
    /// <summary>Written in tmp/ when a network's training has ended (completed or stopped early), so a resumed run skips it.</summary>
    public string TrainingEnded(int split, int? network = null) => Path.Combine(Temporary(split), network is null ? "training.ended" : $"network-{network}_training.ended");

    public string Checkpoint(int split, int? network = null) => Path.Combine(Temporary(split), network is null ? "checkpoint.pt" : $"network-{network}_checkpoint.pt");
    public string Best(int split, string metric) => Path.Combine(Split(split), $"best-{metric}");
    /// <summary>The kept model, or with multi_network that of network n (ClinicaDL's network-n_model name).</summary>
    public string BestModel(int split, string metric, int? network = null) => Path.Combine(Best(split, metric), network is null ? "model.pt" : $"network-{network}_model.pt");
    public string Results(int split, string metric, string group) => Path.Combine(Best(split, metric), group);
    public string Predictions(int split, string metric, string group, string level = "image") => Path.Combine(Results(split, metric, group), $"{group}_{level}_level_prediction.tsv");
    public string MetricsTable(int split, string metric, string group, string level = "image") => Path.Combine(Results(split, metric, group), $"{group}_{level}_level_metrics.tsv");

    /// <summary>The split numbers present (split-0, split-1...).</summary>
    public IReadOnlyList<int> Splits() => Directory.Exists(Root)
        ? Directory.EnumerateDirectories(Root, "split-*").Select(d => int.TryParse(Path.GetFileName(d)[6..], out var n) ? n : -1).Where(n => n >= 0).Order().ToList()
        : [];
}
