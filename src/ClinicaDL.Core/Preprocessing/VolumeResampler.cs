using ClinicaDL.Core.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// Samples a volume on another grid through a world transform, trilinearly (libtorch's grid_sample): the one
/// interpolation of the pipeline, so each output voxel is interpolated once from the native image.
/// </summary>
public static class VolumeResampler
{
    /// <param name="source">The image to sample (e.g. a participant's native T1w).</param>
    /// <param name="targetToSource">World transform from target millimetres to source millimetres (template to participant).</param>
    /// <param name="targetShape">The output grid's shape.</param>
    /// <param name="targetAffine">The output grid's voxel-to-world affine.</param>
    /// <returns>The sampled volume on the target grid; zero outside the source's field of view.</returns>
    public static Volume Resample(Volume source, AffineMatrix targetToSource, int[] targetShape, AffineMatrix targetAffine)
    {
        using var scope = NewDisposeScope();
        var voxelMap = source.Affine.Inverse().Multiply(targetToSource).Multiply(targetAffine);
        using var theta = tensor(NormalisedTheta(voxelMap, source.Shape, targetShape), dtype: ScalarType.Float32).reshape(1, 3, 4);
        var image = AsTensor(source);
        var grid = nn.functional.affine_grid(theta, [1, 1, targetShape[2], targetShape[1], targetShape[0]], align_corners: true);
        var sampled = nn.functional.grid_sample(image, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: true);
        return new Volume(sampled.contiguous().data<float>().ToArray(), targetShape, targetAffine);
    }

    /// <summary>The volume as a [1, 1, z, y, x] tensor sharing no memory with the array.</summary>
    internal static Tensor AsTensor(Volume volume) =>
        tensor(volume.Values, [1, 1, volume.Shape[2], volume.Shape[1], volume.Shape[0]], ScalarType.Float32);

    /// <summary>
    /// affine_grid's theta: the target-voxel to source-voxel map expressed between normalised coordinates
    /// ([-1, 1] from the first to the last voxel centre, with align_corners), rows and columns in (x, y, z) order.
    /// </summary>
    private static float[] NormalisedTheta(AffineMatrix voxelMap, int[] sourceShape, int[] targetShape)
    {
        var theta = new float[12];
        for (var row = 0; row < 3; row++)
        {
            var rowScale = 2.0 / Math.Max(1, sourceShape[row] - 1);
            var translation = voxelMap[row, 3];
            for (var column = 0; column < 3; column++)
            {
                var halfExtent = Math.Max(1, targetShape[column] - 1) / 2.0;
                theta[row * 4 + column] = (float)(rowScale * voxelMap[row, column] * halfExtent);
                translation += voxelMap[row, column] * halfExtent;
            }
            theta[row * 4 + 3] = (float)(rowScale * translation - 1);
        }
        return theta;
    }
}
