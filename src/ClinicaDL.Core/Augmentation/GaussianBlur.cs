using ClinicaDL.Core.Imaging;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>
/// Separable Gaussian smoothing of a sample [channels, spatial...] (2D or 3D) with one standard deviation (in
/// voxels) per spatial axis, as scipy.ndimage.gaussian_filter does it (ClinicaDL's RandomSmoothing): kernel
/// radius int(4 sigma + 0.5), edges extended by half-sample reflection.
/// </summary>
public static class GaussianBlur
{
    public static Tensor Apply(Tensor sample, double[] sigmas) =>
        SeparableFilter.Apply(sample, sigmas.Take((int)sample.dim() - 1).Select(Kernel).ToArray(), SeparableFilter.Edge.Reflect);

    /// <summary>The normalised kernel of one axis; null when sigma is too small to blur.</summary>
    private static double[]? Kernel(double sigma)
    {
        var radius = (int)(4 * sigma + 0.5);
        return sigma < 1e-3 || radius < 1 ? null : SeparableFilter.Gaussian(radius, sigma);
    }
}
