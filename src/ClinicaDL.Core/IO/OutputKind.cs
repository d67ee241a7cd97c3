using System.IO.Enumeration;

namespace ClinicaDL.Core.IO;

/// <summary>
/// A kind of folder the module makes, as replacing it must recognise it: the marker file that identifies it, and
/// the top-level entries (simple wildcards) it consists of. Anything else in such a folder is someone else's.
/// </summary>
public sealed class OutputKind
{
    private readonly string[] _entries;

    private OutputKind(string name, string? marker, params string[] entries)
    {
        Name = name;
        Marker = marker;
        _entries = entries;
    }

    /// <summary>How messages name it ("MAPS", "synthetic data set"...).</summary>
    public string Name { get; }

    /// <summary>The file whose presence says the folder is of this kind; null for folders recognised by where they are in a MAPS.</summary>
    public string? Marker { get; }

    /// <summary>
    /// A MAPS: ClinicaDL's layout plus this module's report folder and the copy of a network file or TorchScript
    /// archive it was trained with (MapsLayout.NetworkFile's names, spelled out: this layer is below Maps).
    /// </summary>
    public static OutputKind Maps { get; } = new("MAPS", "maps.json",
        "maps.json", "environment.txt", "information.log", "groups", "split-*", "report", "jobs",
        "architecture.psd1", "architecture.json", "architecture.pt", "architecture.ts");

    /// <summary>New-ClinicaDLSyntheticDataset's output (the phantoms' BIDS + CAPS, with -Raw their transforms and template; or a derived CAPS).</summary>
    public static OutputKind SyntheticDataset { get; } = new("synthetic data set", "synthetic.json",
        "synthetic.json", "bids", "caps", "labels.tsv", "data.tsv", "subjects", "dataset_description.json", "transforms.tsv", "template");

    /// <summary>An interpretation folder of a MAPS (split-k/best-m/group/interpret-name).</summary>
    public static OutputKind Interpretation { get; } = new("interpretation", "interpretation.json",
        "interpretation.json", "*.nii.gz", "*.tensor");

    /// <summary>The results of one data group for one best model (split-k/best-m/group): predictions, metrics, interpretations.</summary>
    public static OutputKind DataGroupResults { get; } = new("data-group result folder", null,
        "description.log", "*_level_prediction.tsv", "*_level_metrics.tsv", "interpret-*", "tensors", "nifti_images");

    /// <summary>Whether a top-level entry name belongs to this kind (staging and lock files of the module always do).</summary>
    public bool Owns(string entryName) =>
        (entryName.StartsWith('.') && (entryName.EndsWith(".tmp", StringComparison.Ordinal) || entryName.EndsWith(".lock", StringComparison.Ordinal)))
        || _entries.Any(pattern => FileSystemName.MatchesSimpleExpression(pattern, entryName, ignoreCase: false));
}
