using System.Text.RegularExpressions;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Selection;

namespace ClinicaDL.Core.Extraction;

/// <summary>
/// A region-of-interest mask found as ClinicaDL finds it: in caps/masks/tpl-&lt;template&gt;/, named
/// *&lt;pattern&gt;*_roi-&lt;name&gt;_mask.nii[.gz], with _desc-Crop_ for a cropped image and without it for an
/// uncropped one, the lexicographically smallest name when several match; values 0 and 1 only.
/// </summary>
public sealed partial class RoiMask
{
    private RoiMask(string name, string path, int[] shape, bool[] inside, int[] low, int[] high)
    {
        Name = name;
        Path = path;
        Shape = shape;
        Inside = inside;
        Low = low;
        High = high;
    }

    public string Name { get; }
    public string Path { get; }
    public int[] Shape { get; }

    /// <summary>Voxels inside the region, x fastest (NIfTI order).</summary>
    public bool[] Inside { get; }

    /// <summary>The bounding box of the region, inclusive.</summary>
    public int[] Low { get; }
    public int[] High { get; }

    public static RoiMask Find(string capsPath, string template, string pattern, string name, bool croppedImage)
    {
        var folder = System.IO.Path.Combine(capsPath, "masks", $"tpl-{template}");
        var candidates = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder)
                .Select(System.IO.Path.GetFileName)
                .Where(f => f!.Contains(pattern, StringComparison.Ordinal) && (f.EndsWith($"_roi-{name}_mask.nii", StringComparison.Ordinal) || f.EndsWith($"_roi-{name}_mask.nii.gz", StringComparison.Ordinal)))
                .Where(f => f!.Contains("_desc-Crop_", StringComparison.Ordinal) == croppedImage)
                .Order(StringComparer.Ordinal).ToList()
            : [];
        if (candidates.Count == 0)
        {
            var regions = Directory.Exists(folder)
                ? Directory.EnumerateFiles(folder).Select(System.IO.Path.GetFileName)
                    .Where(f => f!.Contains(pattern, StringComparison.Ordinal) && f.Contains("_desc-Crop_", StringComparison.Ordinal) == croppedImage)
                    .Select(f => RegionName().Match(f!)).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal).ToList()
                : [];
            throw new NotFoundException(new MissingName(NotFoundKind.Region, name, $"The mask folder '{folder}'", regions,
                $"A mask is a file named *{pattern}*_roi-<region>_mask.nii.gz{(croppedImage ? " with _desc-Crop_" : " without _desc-Crop_")} " +
                "(ClinicaDL ships no masks; the synthetic data set has leftHippocampusBox and rightHippocampusBox)."));
        }
        var path = System.IO.Path.Combine(folder, candidates[0]!);
        var values = NiftiReader.ReadSingle(path, out var header);
        var shape = TensorExtractor.ImageShape(header.Shape, path);
        var inside = new bool[values.Length];
        int[] low = [int.MaxValue, int.MaxValue, int.MaxValue];
        int[] high = [-1, -1, -1];
        for (var index = 0; index < values.Length; index++)
        {
            if (values[index] is not (0 or 1))
            {
                throw new ArgumentException($"The mask '{path}' must hold only 0 and 1; voxel {index} is {values[index]}.");
            }
            if (values[index] == 1)
            {
                inside[index] = true;
                int[] voxel = [index % shape[0], index / shape[0] % shape[1], index / (shape[0] * shape[1])];
                for (var axis = 0; axis < 3; axis++)
                {
                    low[axis] = Math.Min(low[axis], voxel[axis]);
                    high[axis] = Math.Max(high[axis], voxel[axis]);
                }
            }
        }
        if (high[0] < 0)
        {
            throw new ArgumentException($"The mask '{path}' is empty: no voxel is 1.");
        }
        return new RoiMask(name, path, shape, inside, low, high);
    }

    [GeneratedRegex(@"_roi-([A-Za-z0-9]+)_mask\.nii(\.gz)?$")]
    private static partial Regex RegionName();
}
