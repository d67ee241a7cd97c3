using ClinicaDL.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Imaging;

/// <summary>
/// Filters a sample [channels, spatial...] (2D or 3D) with a centred 1D kernel per spatial axis, one axis at a
/// time, each as a weighted sum of shifted views of the edge-extended sample: on small kernels that is several
/// times faster than a one-channel convolution, which oneDNN runs on a generic path.
/// </summary>
public static class SeparableFilter
{
    /// <summary>How the sample is extended beyond its edges.</summary>
    public enum Edge
    {
        /// <summary>Zeros (a convolution's zero padding).</summary>
        Zero,

        /// <summary>scipy.ndimage's "reflect": mirrored about the outer voxels' edges (d c b a | a b c d | d c b a).</summary>
        Reflect,
    }

    /// <param name="sample">[channels, spatial...].</param>
    /// <param name="kernels">One odd-length kernel per spatial axis, or null to leave that axis as it is.</param>
    /// <param name="edge">How values beyond the edges are taken.</param>
    public static Tensor Apply(Tensor sample, IReadOnlyList<double[]?> kernels, Edge edge)
    {
        using var scope = NewDisposeScope();
        var current = sample;
        for (var axis = 0; axis < kernels.Count; axis++)
        {
            if (kernels[axis] is not { } kernel)
            {
                continue;
            }
            var dimension = axis + 1;
            var radius = kernel.Length / 2;
            var length = current.shape[dimension];
            var extended = edge == Edge.Zero ? ZeroPadded(current, dimension, radius) : Reflected(current, dimension, radius, length);
            using var scalars = new ScalarScope();
            var sum = extended.narrow(dimension, 0, length) * scalars.Of(kernel[0]);
            for (var tap = 1; tap < kernel.Length; tap++)
            {
                sum.add_(extended.narrow(dimension, tap, length), alpha: scalars.Of(kernel[tap]));
            }
            current = sum;
        }
        return current.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Gaussian weights at -radius..radius, summing to 1.</summary>
    public static double[] Gaussian(int radius, double sigma)
    {
        var weights = Enumerable.Range(-radius, 2 * radius + 1).Select(i => Math.Exp(-0.5 * i * i / (sigma * sigma))).ToArray();
        var total = weights.Sum();
        return [.. weights.Select(w => w / total)];
    }

    private static Tensor ZeroPadded(Tensor sample, int dimension, int radius)
    {
        // F.pad lists the last axis first.
        var pad = new long[2 * ((int)sample.dim() - 1)];
        var slot = 2 * ((int)sample.dim() - 1 - dimension);
        pad[slot] = radius;
        pad[slot + 1] = radius;
        return nn.functional.pad(sample, pad);
    }

    private static Tensor Reflected(Tensor sample, int dimension, int radius, long length)
    {
        using var indices = tensor(Enumerable.Range(-radius, (int)length + 2 * radius).Select(i => Reflect(i, length)).ToArray(), device: sample.device);
        return sample.index_select(dimension, indices);
    }

    private static long Reflect(long i, long n)
    {
        var period = 2 * n;
        var m = ((i % period) + period) % period;
        return m < n ? m : period - 1 - m;
    }
}
