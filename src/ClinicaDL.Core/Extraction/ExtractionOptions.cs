using System.Text.Json.Nodes;

namespace ClinicaDL.Core.Extraction;

/// <summary>ClinicaDL's prepare-data options; their names in the extraction JSON are ClinicaDL's.</summary>
public sealed record ExtractionOptions
{
    public required string CapsPath { get; init; }
    public required ExtractionMode Mode { get; init; }

    /// <summary>t1-linear, flair-linear, pet-linear, t1-extensive or custom.</summary>
    public string Preprocessing { get; init; } = "t1-linear";

    public bool UseUncroppedImage { get; init; }
    public string? Tracer { get; init; }
    public string? SuvrReferenceRegion { get; init; }
    public string? CustomSuffix { get; init; }

    /// <summary>Only these sessions (a TSV with participant_id and session_id); every session of the CAPS when null.</summary>
    public string? SessionsTsv { get; init; }

    /// <summary>The extraction JSON's file name in tensor_extraction/ (extract_&lt;mode&gt;.json by default).</summary>
    public string? ExtractJson { get; init; }

    /// <summary>Also write every part (patch, slice, ROI) as its own tensor file, not only the image.</summary>
    public bool SaveFeatures { get; init; }

    public int PatchSize { get; init; } = 50;
    public int StrideSize { get; init; } = 50;

    /// <summary>0 sagittal, 1 coronal, 2 axial.</summary>
    public int SliceDirection { get; init; }

    /// <summary>rgb (three identical channels, for 2D networks made for colour images) or single.</summary>
    public string SliceMode { get; init; } = "rgb";

    public int DiscardedSlicesStart { get; init; }
    public int DiscardedSlicesEnd { get; init; }

    public IReadOnlyList<string> RoiList { get; init; } = [];

    /// <summary>Keep the whole image around the ROI (masked) instead of cropping it to the mask's bounding box.</summary>
    public bool RoiUncropOutput { get; init; }

    public string? RoiCustomTemplate { get; init; }
    public string? RoiCustomMaskPattern { get; init; }

    /// <summary>Images extracted at once (both cores by default).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Extract again even where the same source and parameters were already extracted; replace a different JSON of the same name.</summary>
    public bool Overwrite { get; init; }

    /// <summary>
    /// The options an extraction JSON (CAPS/tensor_extraction/&lt;name&gt;, ClinicaDL's keys, or a MAPS'
    /// preprocessing_dict) describes; a missing or mistyped key is refused with its name and the file.
    /// </summary>
    public static ExtractionOptions FromJson(JsonObject json, string capsPath, string source)
    {
        // ClinicaDL's Python may write a whole number as 50.0: the same number in substance.
        static int? WholeNumber(JsonNode? node) =>
            node is JsonValue number && number.TryGetValue<double>(out var real) && real == Math.Floor(real) && Math.Abs(real) <= int.MaxValue ? (int)real : null;
        T Read<T>(string key, T fallback)
        {
            if (json[key] is not JsonNode node)
            {
                return fallback;
            }
            try
            {
                if (typeof(T) == typeof(int) && WholeNumber(node) is { } whole)
                {
                    return (T)(object)whole;
                }
                return node.GetValue<T>();
            }
            catch (Exception error) when (error is InvalidOperationException or FormatException)
            {
                throw new ArgumentException($"'{source}': the key '{key}' should hold a {typeof(T).Name.Replace("Int32", "whole number").Replace("Boolean", "true or false")}; it holds {node.ToJsonString()}.");
            }
        }
        var modeName = Read<string?>("mode", null) ?? throw new ArgumentException($"'{source}' has no 'mode' key: it is not an extraction JSON (Export-ClinicaDLTensor writes them).");
        if (!Enum.TryParse<ExtractionMode>(modeName, ignoreCase: true, out var mode))
        {
            throw new ArgumentException($"'{source}': mode '{modeName}' is not image, patch, slice or roi.");
        }
        int Slices(JsonNode? node) => WholeNumber(node) is { } count && count >= 0
            ? count
            : throw new ArgumentException($"'{source}': the key 'discarded_slices' should hold whole numbers of slices; it holds {json["discarded_slices"]!.ToJsonString()}.");
        var discarded = json["discarded_slices"] switch
        {
            JsonArray { Count: 2 } pair => (Slices(pair[0]), Slices(pair[1])),
            JsonArray { Count: 1 } one => (Slices(one[0]), Slices(one[0])),
            JsonValue single => (Slices(single), Slices(single)),
            _ => (0, 0),
        };
        return new ExtractionOptions
        {
            CapsPath = capsPath,
            Mode = mode,
            Preprocessing = Read("preprocessing", "t1-linear"),
            UseUncroppedImage = Read<bool?>("use_uncropped_image", null) ?? false,
            Tracer = Read<string?>("tracer", null),
            SuvrReferenceRegion = Read<string?>("suvr_reference_region", null),
            CustomSuffix = Read<string?>("custom_suffix", null),
            ExtractJson = Read<string?>("extract_json", null),
            SaveFeatures = Read("prepare_dl", false),
            PatchSize = Read("patch_size", 50),
            StrideSize = Read("stride_size", 50),
            SliceDirection = Read("slice_direction", 0),
            SliceMode = Read("slice_mode", "rgb"),
            DiscardedSlicesStart = discarded.Item1,
            DiscardedSlicesEnd = discarded.Item2,
            RoiList = json["roi_list"] is JsonArray list ? list.Select(n => n!.GetValue<string>()).ToList() : [],
            RoiUncropOutput = Read("uncropped_roi", false),
            RoiCustomTemplate = Read<string?>("roi_custom_template", null) is { Length: > 0 } template ? template : null,
            RoiCustomMaskPattern = Read<string?>("roi_custom_mask_pattern", null) is { Length: > 0 } pattern ? pattern : null,
        };
    }

    /// <summary>
    /// What the extraction is in substance, with ClinicaDL's key names: the settings that change which images are
    /// read and which tensors are made, for the mode at hand. Key order, descriptions (file_type, tensor_format,
    /// masks_location...), 50 against 50.0, null against absent and keys of other modes are not part of it, so an
    /// extraction JSON written by ClinicaDL's prepare-data with the same settings means the same extraction.
    /// </summary>
    public SortedDictionary<string, string> Meaning()
    {
        var meaning = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["mode"] = Mode.ToString().ToLowerInvariant(),
            ["preprocessing"] = Preprocessing,
            ["prepare_dl"] = Flag(SaveFeatures),
        };
        switch (Preprocessing)
        {
            case "custom":
                meaning["custom_suffix"] = CustomSuffix ?? "";
                break;
            case "pet-linear":
                meaning["tracer"] = Tracer ?? "";
                meaning["suvr_reference_region"] = SuvrReferenceRegion ?? "";
                meaning["use_uncropped_image"] = Flag(UseUncroppedImage);
                break;
            default:
                meaning["use_uncropped_image"] = Flag(UseUncroppedImage);
                break;
        }
        switch (Mode)
        {
            case ExtractionMode.Patch:
                meaning["patch_size"] = Number(PatchSize);
                meaning["stride_size"] = Number(StrideSize);
                break;
            case ExtractionMode.Slice:
                meaning["slice_direction"] = Number(SliceDirection);
                meaning["slice_mode"] = SliceMode;
                meaning["discarded_slices"] = $"[{Number(DiscardedSlicesStart)}, {Number(DiscardedSlicesEnd)}]";
                break;
            case ExtractionMode.Roi:
                meaning["roi_list"] = $"[{string.Join(", ", RoiList)}]";
                meaning["uncropped_roi"] = Flag(RoiUncropOutput);
                meaning["roi_custom_template"] = RoiCustomTemplate ?? "";
                meaning["roi_custom_mask_pattern"] = RoiCustomMaskPattern ?? "";
                break;
        }
        return meaning;
    }

    /// <summary>The keys whose meaning differs from <paramref name="other"/>'s, each as "key: this vs other"; empty when the two are the same extraction.</summary>
    public IReadOnlyList<string> DifferencesFrom(ExtractionOptions other)
    {
        var (mine, theirs) = (Meaning(), other.Meaning());
        return mine.Keys.Union(theirs.Keys).Order(StringComparer.Ordinal)
            .Where(key => mine.GetValueOrDefault(key) != theirs.GetValueOrDefault(key))
            .Select(key => $"{key}: {mine.GetValueOrDefault(key) ?? "(absent)"} here, {theirs.GetValueOrDefault(key) ?? "(absent)"} there")
            .ToList();
    }

    private static string Flag(bool value) => value ? "true" : "false";

    private static string Number(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The extraction JSONs of a CAPS (file names in tensor_extraction/).</summary>
    public static IReadOnlyList<string> JsonNames(string capsPath)
    {
        var folder = System.IO.Path.Combine(capsPath, "tensor_extraction");
        return Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.json").Select(System.IO.Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList() : [];
    }

    /// <summary>CAPS/tensor_extraction/&lt;name&gt; (".json" added when missing) as a JSON object, or a clear error naming the ones there are.</summary>
    public static JsonObject ReadJson(string capsPath, string name)
    {
        var file = System.IO.Path.Combine(capsPath, "tensor_extraction", name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? name : name + ".json");
        if (!File.Exists(file))
        {
            var known = JsonNames(capsPath);
            throw new ArgumentException($"'{file}' does not exist; {(known.Count == 0 ? "this CAPS has no extraction yet" : $"this CAPS has {string.Join(", ", known)}")}. Export-ClinicaDLTensor writes them.");
        }
        try
        {
            return JsonNode.Parse(File.ReadAllText(file)) as JsonObject ?? throw new ArgumentException($"'{file}' does not hold a JSON object.");
        }
        catch (System.Text.Json.JsonException error)
        {
            throw new ArgumentException($"'{file}' is not valid JSON: {error.Message}", error);
        }
    }

    /// <summary>
    /// The training configuration keys an extraction JSON of the CAPS sets, as ClinicaDL's train does with its
    /// PREPROCESSING_JSON: preprocessing_dict (the JSON), mode and preprocessing. A preprocessing given as well must
    /// be the extraction's.
    /// </summary>
    public static Dictionary<string, object?> TrainingKeys(string capsPath, string name, string? preprocessing)
    {
        var json = ReadJson(capsPath, name);
        var extraction = FromJson(json, capsPath, name);
        if (preprocessing is not null && preprocessing != extraction.Preprocessing)
        {
            throw new ArgumentException($"The preprocessing {preprocessing} contradicts the extraction '{name}', made from {extraction.Preprocessing} images; leave the preprocessing out (the extraction sets it).");
        }
        return new Dictionary<string, object?>
        {
            ["preprocessing_dict"] = json, ["mode"] = extraction.Mode.ToString().ToLowerInvariant(), ["preprocessing"] = extraction.Preprocessing,
        };
    }

    /// <summary>The CAPS query that finds this extraction's source images.</summary>
    public Datasets.CapsQuery Query() => new()
    {
        Preprocessing = Preprocessing, UseUncroppedImage = UseUncroppedImage, Tracer = Tracer, SuvrReferenceRegion = SuvrReferenceRegion, CustomSuffix = CustomSuffix,
    };
}
