using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>
/// Separable Gaussian smoothing of a sample [channels, spatial...] (2D or 3D) with one standard deviation (in
/// voxels) per spatial axis, the kernel cut at 4 sigma and the edges reflected, as scipy.ndimage.gaussian_filter
/// does. Each axis is one convolution with a kernel that is long along that axis only.
/// </summary>
internal static class GaussianBlur
{
    public static Tensor Apply(Tensor sample, double[] sigmas)
    {
        using var scope = NewDisposeScope();
        var spatial = (int)sample.dim() - 1;
        // Channels become the batch of a one-channel convolution.
        var current = sample.unsqueeze(1);
        for (var axis = 0; axis < spatial; axis++)
        {
            var sigma = sigmas[axis];
            var length = sample.shape[axis + 1];
            var radius = (int)Math.Min(Math.Ceiling(4 * sigma), length - 1);
            if (sigma < 1e-3 || radius < 1)
            {
                continue;
            }
            var weights = Enumerable.Range(-radius, 2 * radius + 1).Select(i => Math.Exp(-0.5 * i * i / (sigma * sigma))).ToArray();
            var total = weights.Sum();
            var kernelShape = Enumerable.Repeat(1L, spatial + 2).ToArray();
            kernelShape[axis + 2] = 2 * radius + 1;
            using var kernel = tensor(weights.Select(w => (float)(w / total)).ToArray(), device: sample.device).reshape(kernelShape);
            // F.pad lists the last axis first.
            var pad = new long[2 * spatial];
            pad[2 * (spatial - 1 - axis)] = radius;
            pad[2 * (spatial - 1 - axis) + 1] = radius;
            var padded = nn.functional.pad(current, pad, PaddingModes.Reflect);
            current = spatial == 3 ? nn.functional.conv3d(padded, kernel) : nn.functional.conv2d(padded, kernel);
        }
        return current.squeeze(1).contiguous().MoveToOuterDisposeScope();
    }
}
