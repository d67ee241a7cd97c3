using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Selection;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Extraction;

/// <summary>
/// ClinicaDL's prepare-data: every image of a CAPS decoded once into a [1, X, Y, Z] tensor file under
/// subjects/&lt;sub&gt;/&lt;ses&gt;/deeplearning_prepare_data/image_based/&lt;pipeline&gt;/, and with save_features
/// each part (patch, slice, ROI) into &lt;mode&gt;_based/; the parameters in tensor_extraction/&lt;json&gt; with
/// ClinicaDL's keys. The files are the module's .tensor format (raw float32, see <see cref="TensorFile"/>) where
/// ClinicaDL writes .pt. An image already extracted from the same source bytes with the same parameters is
/// skipped (a key file beside its tensor records both hashes). Every check that can fail runs before any file is
/// written, each file is written atomically, and the JSON last.
/// </summary>
public static class TensorExtractor
{
    public const string Extension = TensorFile.Extension;

    public static IReadOnlyList<ExtractedImage> Run(ExtractionOptions options, IProgress<ExtractionProgress>? progress = null, CancellationToken cancellation = default)
    {
        var caps = Path.GetFullPath(options.CapsPath);
        var found = CapsDataset.Find(caps, options.Query());
        if (found.Count == 0)
        {
            throw new NotFoundException(CapsDataset.NoImage(caps, options.Query()));
        }
        var images = Select(found, options.SessionsTsv, CapsDataset.SearchPattern(options.Query()));
        if (images.Count == 0)
        {
            throw new CapsException($"'{options.SessionsTsv}' lists no session: the filter matches none of the {found.Count} {options.Preprocessing} image(s) of '{caps}'.");
        }
        var header = NiftiReader.ReadHeader(images[0].Path);
        var shape = ImageShape(header.Header.Shape, images[0].Path);
        var masks = ValidateAndFindMasks(options, caps, shape, images[0].Cropped);
        var jsonName = JsonName(options);
        var json = ExtractionJson(options, jsonName, masks);
        var jsonPath = Path.Combine(caps, "tensor_extraction", jsonName);
        var existing = File.Exists(jsonPath) && !options.Overwrite;
        if (existing && DifferencesFrom(jsonPath, options) is { Count: > 0 } differences)
        {
            throw new ArgumentException($"'{jsonPath}' already describes an extraction with other parameters ({string.Join("; ", differences)}); choose another -ExtractJson name, or replace it with -Overwrite.");
        }
        using var writing = OutputLock.Acquire(jsonPath);
        // The tensors' key records the extraction's meaning, not its JSON's bytes: a description reworded by a later
        // version, or ClinicaDL's JSON of the same extraction, leaves extracted tensors current.
        var parametersHash = ImageTensorCache.Sha256(Encoding.UTF8.GetBytes(string.Join("\n", options.Meaning().Select(m => $"{m.Key}={m.Value}"))));
        var results = new ExtractedImage[images.Count];
        var done = 0;
        Parallel.For(0, images.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Threads), CancellationToken = cancellation }, i =>
        {
            results[i] = ExtractOne(images[i], options, shape, masks, parametersHash, jsonName);
            progress?.Report(new ExtractionProgress(Interlocked.Increment(ref done), images.Count));
        });
        // A JSON of the same extraction already there (perhaps ClinicaDL's own, which ClinicaDL reads back) is kept as it is.
        if (!existing)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(jsonPath)!);
            AtomicFile.WriteAllText(jsonPath, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }
        return results;
    }

    /// <summary>The name of the folder under &lt;mode&gt;_based/ (ClinicaDL's file_type folder).</summary>
    public static string PipelineFolder(string preprocessing) => preprocessing switch
    {
        "custom" => "custom",
        var name => name.Replace('-', '_'),
    };

    private static List<CapsImage> Select(IReadOnlyList<CapsImage> found, string? sessionsTsv, string searchPattern)
    {
        if (sessionsTsv is null)
        {
            return found.ToList();
        }
        var table = TsvTable.Read(sessionsTsv);
        table.Require("participant_id", "session_id");
        var wanted = table.Rows.Select(r => (r[table.IndexOf("participant_id")]!, r[table.IndexOf("session_id")]!)).ToList();
        var byKey = found.ToDictionary(i => (i.ParticipantId, i.SessionId));
        var missing = wanted.Where(w => !byKey.ContainsKey(w)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidTableException($"'{sessionsTsv}': {missing.Count} session(s) have no image in the CAPS ({searchPattern}): {string.Join(", ", missing.Take(20).Select(m => $"{m.Item1} {m.Item2}"))}{(missing.Count > 20 ? ", ..." : "")}.");
        }
        return wanted.Distinct().Select(w => byKey[w]).ToList();
    }

    internal static int[] ImageShape(IEnumerable<long> dimensions, string path)
    {
        var shape = dimensions.Select(s => (int)s).ToArray();
        if (shape.Length == 4 && shape[3] == 1)
        {
            shape = shape[..3];
        }
        return shape.Length == 3 ? shape : throw new InvalidNiftiException(path, $"tensor extraction needs 3D images; this one has shape {string.Join("x", shape)}");
    }

    /// <summary>Checks the part geometry against the images' shape and finds the ROI masks, before anything is written.</summary>
    internal static IReadOnlyList<RoiMask> ValidateAndFindMasks(ExtractionOptions options, string caps, int[] shape, bool cropped)
    {
        switch (options.Mode)
        {
            case ExtractionMode.Patch:
                PartGeometry.ValidatePatch(shape, options.PatchSize, options.StrideSize);
                return [];
            case ExtractionMode.Slice:
                PartGeometry.ValidateSlices(shape, options.SliceDirection, options.DiscardedSlicesStart, options.DiscardedSlicesEnd);
                if (options.SliceMode is not ("rgb" or "single"))
                {
                    throw new ArgumentException($"The slice mode is rgb or single; got '{options.SliceMode}'.");
                }
                return [];
            case ExtractionMode.Roi:
                if (options.RoiList.Count == 0)
                {
                    throw new ArgumentException("ROI mode needs at least one region name (-RoiList), e.g. leftHippocampusBox.");
                }
                var template = options.Preprocessing == "custom"
                    ? options.RoiCustomTemplate ?? throw new ArgumentException("ROI mode on a custom preprocessing needs -RoiCustomTemplate.")
                    : "MNI152NLin2009cSym";
                var pattern = options.RoiCustomMaskPattern ?? (options.Preprocessing == "custom" ? "" : "res-1x1x1");
                var masks = options.RoiList.Select(name => RoiMask.Find(caps, template, pattern, name, cropped)).ToList();
                foreach (var mask in masks.Where(m => !m.Shape.SequenceEqual(shape)))
                {
                    throw new ArgumentException($"The mask '{mask.Path}' is {string.Join("x", mask.Shape)}; the images are {string.Join("x", shape)}. Masks must be on the images' grid.");
                }
                return masks;
            default:
                return [];
        }
    }

    private static ExtractedImage ExtractOne(CapsImage image, ExtractionOptions options, int[] shape, IReadOnlyList<RoiMask> masks, string parametersHash, string jsonName)
    {
        var (root, pipeline, stem, imageFolder, tensorPath, keyPath) = ImageTensorCache.Locate(image.Path, options.Preprocessing);
        var parts = PartCount(options, shape, masks);
        if (!options.Overwrite && ImageTensorCache.Current(image.Path, options.Preprocessing, parametersHash) is not null)
        {
            return Result(image, options, shape, parts, tensorPath, 0, skipped: true, jsonName);
        }
        var key = ImageTensorCache.Key(image.Path, parametersHash);
        var values = NiftiReader.ReadSingle(image.Path, out var header);
        var actual = ImageShape(header.Shape, image.Path);
        if (!actual.SequenceEqual(shape))
        {
            throw new InvalidNiftiException(image.Path, $"its shape {string.Join("x", actual)} differs from the other images' {string.Join("x", shape)}");
        }
        Directory.CreateDirectory(imageFolder);
        var volume = ToChannelFirst(values, shape);
        TensorFile.Write(tensorPath, [1, shape[0], shape[1], shape[2]], volume);
        var partFiles = options.SaveFeatures ? WriteParts(options, root, pipeline, stem, volume, values, shape, masks) : 0;
        AtomicFile.WriteAllText(keyPath, key.ToJsonString() + "\n");
        return Result(image, options, shape, parts, tensorPath, partFiles, skipped: false, jsonName);
    }

    private static int PartCount(ExtractionOptions options, int[] shape, IReadOnlyList<RoiMask> masks) => options.Mode switch
    {
        ExtractionMode.Patch => PartGeometry.PatchCorners(shape, options.PatchSize, options.StrideSize).Count,
        ExtractionMode.Slice => PartGeometry.SliceIndices(shape, options.SliceDirection, options.DiscardedSlicesStart, options.DiscardedSlicesEnd).Count,
        ExtractionMode.Roi => masks.Count,
        _ => 1,
    };

    /// <summary>NIfTI order (x fastest) to a C-order [X, Y, Z] volume (z fastest), as ClinicaDL's tensors.</summary>
    private static float[] ToChannelFirst(float[] values, int[] shape)
    {
        var (nx, ny, nz) = (shape[0], shape[1], shape[2]);
        var volume = new float[values.Length];
        for (var x = 0; x < nx; x++)
        {
            for (var y = 0; y < ny; y++)
            {
                var target = (x * ny + y) * nz;
                for (var z = 0; z < nz; z++)
                {
                    var value = values[x + nx * (y + ny * z)];
                    volume[target + z] = float.IsNaN(value) ? 0 : value;
                }
            }
        }
        return volume;
    }

    private static int WriteParts(ExtractionOptions options, string root, string pipeline, string stem, float[] volume, float[] values, int[] shape, IReadOnlyList<RoiMask> masks)
    {
        var folder = Path.Combine(root, "deeplearning_prepare_data", $"{options.Mode.ToString().ToLowerInvariant()}_based", pipeline);
        Directory.CreateDirectory(folder);
        var cut = stem.LastIndexOf('_');
        var (prefix, suffix) = cut < 0 ? (stem, "") : (stem[..cut], stem[(cut + 1)..]);
        var (nx, ny, nz) = (shape[0], shape[1], shape[2]);
        var written = 0;
        switch (options.Mode)
        {
            case ExtractionMode.Patch:
            {
                var size = options.PatchSize;
                var corners = PartGeometry.PatchCorners(shape, size, options.StrideSize);
                for (var index = 0; index < corners.Count; index++)
                {
                    var (cx, cy, cz) = (corners[index][0], corners[index][1], corners[index][2]);
                    var patch = new float[size * size * size];
                    for (var x = 0; x < size; x++)
                    {
                        for (var y = 0; y < size; y++)
                        {
                            Array.Copy(volume, ((cx + x) * ny + cy + y) * nz + cz, patch, (x * size + y) * size, size);
                        }
                    }
                    TensorFile.Write(Path.Combine(folder, $"{prefix}_patchsize-{size}_stride-{options.StrideSize}_patch-{index}_{suffix}{Extension}"), [1, size, size, size], patch);
                    written++;
                }
                break;
            }
            case ExtractionMode.Slice:
            {
                var channels = options.SliceMode == "rgb" ? 3 : 1;
                foreach (var index in PartGeometry.SliceIndices(shape, options.SliceDirection, options.DiscardedSlicesStart, options.DiscardedSlicesEnd))
                {
                    var (height, width) = options.SliceDirection switch { 0 => (ny, nz), 1 => (nx, nz), _ => (nx, ny) };
                    var slice = new float[channels * height * width];
                    for (var a = 0; a < height; a++)
                    {
                        for (var b = 0; b < width; b++)
                        {
                            var (x, y, z) = options.SliceDirection switch { 0 => (index, a, b), 1 => (a, index, b), _ => (a, b, index) };
                            var value = volume[(x * ny + y) * nz + z];
                            for (var c = 0; c < channels; c++)
                            {
                                slice[(c * height + a) * width + b] = value;
                            }
                        }
                    }
                    TensorFile.Write(Path.Combine(folder, $"{prefix}_axis-{PartGeometry.AxisName(options.SliceDirection)}_channel-{options.SliceMode}_slice-{index}_{suffix}{Extension}"),
                        [channels, height, width], slice);
                    written++;
                }
                break;
            }
            case ExtractionMode.Roi:
                foreach (var mask in masks)
                {
                    var (low, high) = options.RoiUncropOutput ? (new[] { 0, 0, 0 }, new[] { nx - 1, ny - 1, nz - 1 }) : (mask.Low, mask.High);
                    var (bx, by, bz) = (high[0] - low[0] + 1, high[1] - low[1] + 1, high[2] - low[2] + 1);
                    var region = new float[bx * by * bz];
                    for (var x = 0; x < bx; x++)
                    {
                        for (var y = 0; y < by; y++)
                        {
                            for (var z = 0; z < bz; z++)
                            {
                                var source = (low[0] + x) + nx * ((low[1] + y) + ny * (low[2] + z));
                                region[(x * by + y) * bz + z] = mask.Inside[source] && !float.IsNaN(values[source]) ? values[source] : 0;
                            }
                        }
                    }
                    var descriptor = options.RoiUncropOutput ? "_desc-CropImage" : "_desc-CropRoi";
                    var named = prefix.Contains("_desc-Crop", StringComparison.Ordinal) ? prefix.Replace("_desc-Crop", descriptor, StringComparison.Ordinal) : prefix;
                    TensorFile.Write(Path.Combine(folder, $"{named}_roi-{mask.Name}_{suffix}{Extension}"), [1, bx, by, bz], region);
                    written++;
                }
                break;
        }
        return written;
    }

    private static ExtractedImage Result(CapsImage image, ExtractionOptions options, int[] shape, int parts, string tensorPath, int partFiles, bool skipped, string jsonName) => new()
    {
        ParticipantId = image.ParticipantId, SessionId = image.SessionId, Mode = options.Mode.ToString(), Parts = parts, Shape = string.Join("x", shape),
        TensorPath = tensorPath, PartFiles = partFiles, Skipped = skipped, SourcePath = image.Path, ExtractJson = jsonName,
    };

    private static string JsonName(ExtractionOptions options)
    {
        var name = options.ExtractJson ?? $"extract_{options.Mode.ToString().ToLowerInvariant()}";
        if (name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new ArgumentException($"The extraction JSON name '{name}' must be a file name, not a path.");
        }
        return name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? name : name + ".json";
    }

    /// <summary>ClinicaDL's extraction JSON keys (§6.2 of the reference), for the mode at hand.</summary>
    private static JsonObject ExtractionJson(ExtractionOptions options, string jsonName, IReadOnlyList<RoiMask> masks)
    {
        var json = new JsonObject
        {
            ["preprocessing"] = options.Preprocessing,
            ["mode"] = options.Mode.ToString().ToLowerInvariant(),
            ["use_uncropped_image"] = options.Preprocessing == "custom" ? null : options.UseUncroppedImage,
            ["prepare_dl"] = options.SaveFeatures,
            ["extract_json"] = jsonName,
            ["file_type"] = CapsDataset.ClinicaFileType(options.Query()),
            ["tensor_format"] = "ClinicaDL for PowerShell .tensor (raw little-endian float32)",
        };
        if (options.Preprocessing == "custom")
        {
            json["custom_suffix"] = options.CustomSuffix;
        }
        if (options.Preprocessing == "pet-linear")
        {
            json["tracer"] = options.Tracer;
            json["suvr_reference_region"] = options.SuvrReferenceRegion;
        }
        switch (options.Mode)
        {
            case ExtractionMode.Patch:
                json["patch_size"] = options.PatchSize;
                json["stride_size"] = options.StrideSize;
                break;
            case ExtractionMode.Slice:
                json["slice_direction"] = options.SliceDirection;
                json["slice_mode"] = options.SliceMode;
                json["discarded_slices"] = new JsonArray(options.DiscardedSlicesStart, options.DiscardedSlicesEnd);
                break;
            case ExtractionMode.Roi:
                json["roi_list"] = new JsonArray(options.RoiList.Select(r => (JsonNode?)r).ToArray());
                json["uncropped_roi"] = options.RoiUncropOutput;
                json["roi_custom_template"] = options.RoiCustomTemplate ?? "";
                json["roi_custom_mask_pattern"] = options.RoiCustomMaskPattern ?? "";
                json["roi_template"] = options.Preprocessing == "custom" ? options.RoiCustomTemplate : "MNI152NLin2009cSym";
                json["roi_mask_pattern"] = options.RoiCustomMaskPattern ?? (options.Preprocessing == "custom" ? "" : "res-1x1x1");
                json["masks_location"] = masks.Count > 0 ? Path.GetDirectoryName(masks[0].Path) : null;
                break;
        }
        return json;
    }

    /// <summary>How the extraction already described at <paramref name="jsonPath"/> differs in substance from this one (see <see cref="ExtractionOptions.Meaning"/>).</summary>
    private static IReadOnlyList<string> DifferencesFrom(string jsonPath, ExtractionOptions options)
    {
        JsonObject parsed;
        try
        {
            parsed = JsonNode.Parse(File.ReadAllText(jsonPath)) as JsonObject ?? throw new ArgumentException($"'{jsonPath}' does not hold a JSON object.");
        }
        catch (JsonException error)
        {
            throw new ArgumentException($"'{jsonPath}' is not valid JSON ({error.Message}); replace it with -Overwrite or choose another -ExtractJson name.", error);
        }
        return options.DifferencesFrom(ExtractionOptions.FromJson(parsed, options.CapsPath, jsonPath));
    }
}
