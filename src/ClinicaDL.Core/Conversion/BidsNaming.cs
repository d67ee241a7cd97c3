using System.Text.RegularExpressions;

namespace ClinicaDL.Core.Conversion;

/// <summary>
/// The part of the BIDS specification (1.9) that file names follow: the entities in their order, the label and
/// index formats, the datatype folders and the suffixes each may hold. Shared by the conversion (rules are
/// checked against it) and the validation.
/// </summary>
public static partial class BidsNaming
{
    public const string Version = "1.9.0";

    /// <summary>Every entity, in the order BIDS requires in a file name.</summary>
    public static IReadOnlyList<string> EntityOrder { get; } =
    [
        "sub", "ses", "sample", "task", "tracksys", "acq", "nuc", "voi", "ce", "trc", "stain", "rec", "dir", "run", "mod", "echo",
        "flip", "inv", "mt", "part", "proc", "hemi", "space", "split", "recording", "chunk", "seg", "res", "den", "label", "desc",
    ];

    /// <summary>Entities whose value is an index (a non-negative integer), not a label.</summary>
    public static IReadOnlySet<string> IndexEntities { get; } = new HashSet<string>(StringComparer.Ordinal) { "run", "echo", "flip", "inv", "split", "chunk" };

    private static readonly string[] Shared = ["events", "physio", "stim"];

    /// <summary>The datatype folders and the suffixes of each.</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> Suffixes { get; } = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal)
    {
        ["anat"] = Set("T1w", "T2w", "PDw", "T2starw", "FLAIR", "inplaneT1", "inplaneT2", "PDT2", "angio", "T1map", "T2map", "T2starmap",
            "R1map", "R2map", "R2starmap", "PDmap", "MTRmap", "MTsat", "UNIT1", "T1rho", "MWFmap", "MTVmap", "Chimap", "S0map", "M0map",
            "defacemask", "MESE", "MEGRE", "VFA", "IRT1", "MP2RAGE", "MPM", "MTS", "MTR", "T2star", "FLASH", "PD", "TB1map", "RB1map"),
        ["func"] = Set("bold", "cbv", "sbref", "phase", "noRF"),
        ["dwi"] = Set("dwi", "sbref"),
        ["fmap"] = Set("phasediff", "phase1", "phase2", "magnitude1", "magnitude2", "magnitude", "fieldmap", "epi", "m0scan", "TB1DAM",
            "TB1EPI", "TB1AFI", "TB1TFL", "TB1RFM", "TB1SRGE", "TB1map", "RB1COR", "RB1map"),
        ["perf"] = Set("asl", "m0scan", "aslcontext", "noRF"),
        ["pet"] = Set("pet", "blood"),
        ["meg"] = Set("meg", "channels", "coordsystem", "headshape", "markers", "photo"),
        ["eeg"] = Set("eeg", "channels", "electrodes", "coordsystem", "photo"),
        ["ieeg"] = Set("ieeg", "channels", "electrodes", "coordsystem", "photo"),
        ["nirs"] = Set("nirs", "channels", "optodes", "coordsystem", "photo"),
        ["motion"] = Set("motion", "channels"),
        ["mrs"] = Set("svs", "mrsi", "unloc", "mrsref"),
        ["beh"] = Set("beh"),
        ["micr"] = Set("TEM", "SEM", "uCT", "BF", "DF", "PC", "DIC", "FLUO", "CONF", "PLI", "CARS", "2PE", "MPE", "SR", "NLO", "OCT", "SPIM", "XPCT", "photo"),
    };

    /// <summary>Files of the dataset's top folder that the specification names.</summary>
    public static IReadOnlySet<string> TopLevelFiles { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "dataset_description.json", "README", "README.md", "README.rst", "README.txt", "CHANGES", "LICENSE", "CITATION.cff",
        "participants.tsv", "participants.json", "samples.tsv", "samples.json", "genetic_info.json", ".bidsignore",
    };

    /// <summary>Folders of the dataset's top folder that the specification names besides sub-*; their content is not checked.</summary>
    public static IReadOnlySet<string> TopLevelFolders { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "derivatives", "sourcedata", "code", "stimuli", "phenotype",
    };

    /// <summary>Whether a label (sub-&lt;label&gt;, acq-&lt;label&gt;...) has BIDS's form: letters, digits and '+'.</summary>
    public static bool IsLabel(string value) => LabelPattern().IsMatch(value);

    /// <summary>Whether <paramref name="value"/> is a valid value of <paramref name="entity"/> (an index for run, echo...).</summary>
    public static bool IsValue(string entity, string value) => IndexEntities.Contains(entity) ? IndexPattern().IsMatch(value) : IsLabel(value);

    /// <summary>Whether a suffix belongs to a datatype (events, physio and stim belong to every one).</summary>
    public static bool IsSuffix(string datatype, string suffix) =>
        Shared.Contains(suffix) || (Suffixes.TryGetValue(datatype, out var suffixes) && suffixes.Contains(suffix));

    /// <summary>The label of a participant or session given as "01" or "sub-01".</summary>
    public static string Label(string value, string entity)
    {
        var label = value.StartsWith(entity + "-", StringComparison.Ordinal) ? value[(entity.Length + 1)..] : value;
        if (!IsLabel(label))
        {
            throw new ArgumentException($"'{value}' is not a valid {entity}- label: BIDS labels hold only letters, digits and '+'.");
        }
        return label;
    }

    /// <summary>The file name stem: sub-X[_ses-Y]_&lt;entities in BIDS order&gt;_&lt;suffix&gt;.</summary>
    public static string Stem(string participant, string? session, IReadOnlyDictionary<string, string> entities, string suffix)
    {
        var parts = new List<string> { $"sub-{participant}" };
        if (session is not null)
        {
            parts.Add($"ses-{session}");
        }
        parts.AddRange(EntityOrder.Where(entities.ContainsKey).Select(e => $"{e}-{entities[e]}"));
        parts.Add(suffix);
        return string.Join('_', parts);
    }

    /// <summary>Splits a file name into its entity pairs, suffix and extension (from the first dot); null when it has no suffix.</summary>
    public static (List<(string Key, string Value)> Entities, string Suffix, string Extension)? Parse(string fileName)
    {
        var dot = fileName.IndexOf('.');
        var stem = dot < 0 ? fileName : fileName[..dot];
        var extension = dot < 0 ? "" : fileName[dot..];
        var parts = stem.Split('_');
        var entities = new List<(string, string)>();
        foreach (var part in parts[..^1])
        {
            var dash = part.IndexOf('-');
            if (dash <= 0)
            {
                return null;
            }
            entities.Add((part[..dash], part[(dash + 1)..]));
        }
        return parts[^1].Contains('-') ? null : (entities, parts[^1], extension);
    }

    private static HashSet<string> Set(params string[] values) => new(values, StringComparer.Ordinal);

    [GeneratedRegex("^[0-9a-zA-Z+]+$")]
    private static partial Regex LabelPattern();

    [GeneratedRegex("^[0-9]+$")]
    private static partial Regex IndexPattern();
}
