using System.IO.Compression;
using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Core.Generation;

/// <summary>
/// Region masks of the phantom template, written where ClinicaDL looks for ROI masks
/// (caps/masks/tpl-MNI152NLin2009cSym/..._roi-&lt;name&gt;_mask.nii.gz, 0 and 1 only): the boxes around the left and
/// right hippocampi, the regions disease shrinks most. ClinicaDL ships no masks at all; these give ROI mode and
/// saliency checks a known informative region.
/// </summary>
internal static class PhantomMasks
{
    public const string Template = "MNI152NLin2009cSym";

    /// <summary>The regions written: name and hippocampus side (-1 left, +1 right).</summary>
    public static readonly (string Name, int Side)[] Regions = [("leftHippocampusBox", -1), ("rightHippocampusBox", 1)];

    /// <summary>The box spans the template hippocampus grown by 30%, which holds every participant's (sizes vary by a few %).</summary>
    private const double Margin = 1.3;

    public static void Write(string caps, PhantomGrid grid)
    {
        var folder = Path.Combine(caps, "masks", $"tpl-{Template}");
        Directory.CreateDirectory(folder);
        foreach (var (name, side) in Regions)
        {
            var (low, high) = Box(grid, side);
            var values = new float[grid.VoxelCount];
            var index = 0;
            for (var k = 0; k < grid.Shape[2]; k++)
            {
                for (var j = 0; j < grid.Shape[1]; j++)
                {
                    for (var i = 0; i < grid.Shape[0]; i++, index++)
                    {
                        values[index] = i >= low[0] && i <= high[0] && j >= low[1] && j <= high[1] && k >= low[2] && k <= high[2] ? 1 : 0;
                    }
                }
            }
            NiftiWriter.Write(Path.Combine(folder, $"tpl-{Template}_desc-Crop_res-1x1x1_roi-{name}_mask.nii.gz"), grid.Shape, values, grid.Affine,
                new NiftiWriteOptions { DataType = NiftiDataType.UInt8, QformCode = 4, SformCode = 4, Descrip = $"phantom {name}", Compression = CompressionLevel.Fastest });
        }
    }

    /// <summary>The voxel bounds (inclusive) of the voxels within the grown hippocampus.</summary>
    private static (int[] Low, int[] High) Box(PhantomGrid grid, int side)
    {
        int[] low = [int.MaxValue, int.MaxValue, int.MaxValue];
        int[] high = [-1, -1, -1];
        for (var k = 0; k < grid.Shape[2]; k++)
        {
            for (var j = 0; j < grid.Shape[1]; j++)
            {
                for (var i = 0; i < grid.Shape[0]; i++)
                {
                    if (BrainPhantom.Hippocampus(grid.Millimetres(0, i), grid.Millimetres(1, j), grid.Millimetres(2, k), side) <= Margin)
                    {
                        int[] voxel = [i, j, k];
                        for (var axis = 0; axis < 3; axis++)
                        {
                            low[axis] = Math.Min(low[axis], voxel[axis]);
                            high[axis] = Math.Max(high[axis], voxel[axis]);
                        }
                    }
                }
            }
        }
        return (low, high);
    }
}
