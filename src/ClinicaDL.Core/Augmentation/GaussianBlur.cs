using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>
/// Separable Gaussian smoothing of a sample [channels, spatial...] (2D or 3D) with one standard deviation (in
/// voxels) per spatial axis, as scipy.ndimage.gaussian_filter does it (ClinicaDL's RandomSmoothing): kernel
/// radius int(4 sigma + 0.5), edges extended by half-sample reflection (d c b a | a b c d | d c b a). Each axis is
/// a weighted sum of shifted views of the reflected sample: on small kernels that is several times faster than a
/// one-channel convolution, which oneDNN runs on a generic path.
/// </summary>
public static class GaussianBlur
{
    public static Tensor Apply(Tensor sample, double[] sigmas)
    {
        using var scope = NewDisposeScope();
        var current = sample;
        for (var axis = 0; axis < sample.dim() - 1; axis++)
        {
            var sigma = sigmas[axis];
            var radius = (int)(4 * sigma + 0.5);
            if (sigma < 1e-3 || radius < 1)
            {
                continue;
            }
            var dimension = axis + 1;
            var length = sample.shape[dimension];
            var weights = Enumerable.Range(-radius, 2 * radius + 1).Select(i => Math.Exp(-0.5 * i * i / (sigma * sigma))).ToArray();
            var total = weights.Sum();
            using var reflected = tensor(Enumerable.Range(-radius, (int)length + 2 * radius).Select(i => Reflect(i, length)).ToArray(), device: sample.device);
            var padded = current.index_select(dimension, reflected);
            var sum = padded.narrow(dimension, 0, length) * (weights[0] / total);
            for (var tap = 1; tap < weights.Length; tap++)
            {
                sum.add_(padded.narrow(dimension, tap, length), alpha: weights[tap] / total);
            }
            current = sum;
        }
        return current.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>scipy's "reflect" mode: index i of an axis of n voxels, mirrored about the edges of the outer voxels.</summary>
    private static long Reflect(long i, long n)
    {
        var period = 2 * n;
        var m = ((i % period) + period) % period;
        return m < n ? m : period - 1 - m;
    }
}
