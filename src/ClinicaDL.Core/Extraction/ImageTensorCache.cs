using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ClinicaDL.Core.Datasets;

namespace ClinicaDL.Core.Extraction;

/// <summary>
/// Where the image tensor of a CAPS image lives (subjects/&lt;sub&gt;/&lt;ses&gt;/deeplearning_prepare_data/
/// image_based/&lt;pipeline&gt;/&lt;name&gt;.tensor, its key file beside it), and whether it still matches the image:
/// the key records the SHA-256 of the source bytes it was made from, and their length and modification time so
/// that an untouched image is recognised without reading it (every run checks every image).
/// </summary>
public static class ImageTensorCache
{
    public const string KeySuffix = ".key.json";

    public sealed record Location(string SessionRoot, string Pipeline, string Stem, string Folder, string TensorPath, string KeyPath);

    public static Location Locate(string imagePath, string preprocessing)
    {
        var name = Path.GetFileName(imagePath);
        var stem = name.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase) ? name[..^7] : Path.GetFileNameWithoutExtension(name);
        var root = SessionRoot(imagePath);
        var pipeline = TensorExtractor.PipelineFolder(preprocessing);
        var folder = Path.Combine(root, "deeplearning_prepare_data", "image_based", pipeline);
        return new Location(root, pipeline, stem, folder, Path.Combine(folder, stem + TensorExtractor.Extension), Path.Combine(folder, stem + KeySuffix));
    }

    /// <summary>
    /// The tensor file of an image when it exists and was made from the image's current bytes (and, when given,
    /// with these extraction parameters); null otherwise.
    /// </summary>
    public static string? Current(string imagePath, string preprocessing, string? parametersHash = null)
    {
        var location = Locate(imagePath, preprocessing);
        if (!File.Exists(location.TensorPath) || !File.Exists(location.KeyPath))
        {
            return null;
        }
        try
        {
            var key = JsonNode.Parse(File.ReadAllText(location.KeyPath));
            if (key is null || (parametersHash is not null && key["parameters_sha256"]?.GetValue<string>() != parametersHash))
            {
                return null;
            }
            var source = new FileInfo(imagePath);
            var untouched = key["source_bytes"]?.GetValue<long>() == source.Length
                && key["source_modified_ticks"]?.GetValue<long>() == source.LastWriteTimeUtc.Ticks;
            return untouched || key["source_sha256"]?.GetValue<string>() == SourceSha256(imagePath) ? location.TensorPath : null;
        }
        catch (Exception error) when (error is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// The tensor ClinicaDL's prepare-data wrote for an image (&lt;name&gt;.pt in the same folder), when there is one of
    /// the image's shape. ClinicaDL keeps no record of the bytes it was made from, so, as ClinicaDL itself does, it is
    /// trusted: the run says how many images it read from such files.
    /// </summary>
    public static string? ClinicaDlTensor(string imagePath, string preprocessing)
    {
        var location = Locate(imagePath, preprocessing);
        var path = Path.Combine(location.Folder, location.Stem + Imaging.PyTorchFile.TensorExtension);
        if (!File.Exists(path))
        {
            return null;
        }
        var image = Imaging.NiftiReader.ReadHeader(imagePath).Header.Shape;
        var shape = ImageTensorFile.ReadShape(path);
        return shape.Length == 4 && image.Length == 3 && shape[1..].SequenceEqual(image.Select(d => (long)d)) ? path : null;
    }

    /// <summary>The key of a tensor extracted now from <paramref name="imagePath"/> with these parameters.</summary>
    internal static JsonObject Key(string imagePath, string parametersHash)
    {
        var source = new FileInfo(imagePath);
        return new JsonObject
        {
            ["source"] = imagePath, ["source_sha256"] = SourceSha256(imagePath), ["source_bytes"] = source.Length,
            ["source_modified_ticks"] = source.LastWriteTimeUtc.Ticks, ["parameters_sha256"] = parametersHash,
        };
    }

    private static string SourceSha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string SessionRoot(string imagePath)
    {
        // subjects/<sub>/<ses>/<pipeline folder...>/<file>: climb to the ses-* folder.
        var folder = new DirectoryInfo(Path.GetDirectoryName(Path.GetFullPath(imagePath))!);
        while (folder is not null && !folder.Name.StartsWith("ses-", StringComparison.Ordinal))
        {
            folder = folder.Parent;
        }
        return folder?.FullName ?? throw new CapsException($"'{imagePath}' is not inside a ses-* folder of a CAPS.");
    }
}
