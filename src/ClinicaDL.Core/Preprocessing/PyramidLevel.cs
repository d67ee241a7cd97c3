using ClinicaDL.Core.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// One level of a registration pyramid: the image shrunk by averaging blocks of voxels and smoothed, with the
/// affine of the shrunk grid.
/// </summary>
internal sealed class PyramidLevel : IDisposable
{
    private PyramidLevel(Tensor image, int[] shape, AffineMatrix affine)
    {
        Image = image;
        Shape = shape;
        Affine = affine;
    }

    /// <summary>[1, 1, z, y, x].</summary>
    public Tensor Image { get; }

    /// <summary>x, y, z sizes.</summary>
    public int[] Shape { get; }

    public AffineMatrix Affine { get; }

    /// <summary>The shrunk grid's voxel size along each axis, millimetres.</summary>
    public double[] Spacing => Enumerable.Range(0, 3)
        .Select(axis => Math.Sqrt(Affine[0, axis] * Affine[0, axis] + Affine[1, axis] * Affine[1, axis] + Affine[2, axis] * Affine[2, axis]))
        .ToArray();

    /// <summary>
    /// Shrinks by averaging blocks of voxels (itself a low-pass filter), then smooths what remains of the asked
    /// sigma on the shrunk grid: ANTs smooths first, which costs a full-resolution filter per level for little
    /// difference once the block average has removed the frequencies the shrunk grid cannot hold.
    /// </summary>
    public static PyramidLevel Build(Volume volume, int shrink, double sigmaVoxels)
    {
        using var scope = NewDisposeScope();
        var image = VolumeResampler.AsTensor(volume);
        var shape = volume.Shape;
        var affine = volume.Affine;
        if (shrink > 1)
        {
            image = nn.functional.avg_pool3d(image, [shrink, shrink, shrink], [shrink, shrink, shrink], ceil_mode: true, count_include_pad: false);
            shape = [(int)image.shape[4], (int)image.shape[3], (int)image.shape[2]];
            // Shrunk voxel i averages full-resolution voxels i*s .. i*s+s-1: its centre is at i*s + (s-1)/2.
            var offset = (shrink - 1) / 2.0;
            affine = affine.Multiply(new AffineMatrix(new double[,]
            {
                { shrink, 0, 0, offset }, { 0, shrink, 0, offset }, { 0, 0, shrink, offset }, { 0, 0, 0, 1 },
            }));
        }
        var sigma = sigmaVoxels / shrink;
        if (sigma > 0.25)
        {
            var kernel = SeparableFilter.Gaussian((int)Math.Ceiling(3 * sigma), sigma);
            image = SeparableFilter.Apply(image.squeeze(0), [kernel, kernel, kernel], SeparableFilter.Edge.Reflect).unsqueeze(0);
        }
        // The level outlives any caller's scope: its owner disposes it.
        return new PyramidLevel(image.contiguous().DetachFromDisposeScope(), shape, affine);
    }

    public void Dispose() => Image.Dispose();
}
