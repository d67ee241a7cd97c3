using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>
/// Separable Gaussian smoothing of a sample [channels, spatial...] with one standard deviation (in voxels) per
/// spatial axis, the kernel cut at 4 sigma and the edges reflected, as scipy.ndimage.gaussian_filter does.
/// </summary>
internal static class GaussianBlur
{
    public static Tensor Apply(Tensor sample, double[] sigmas)
    {
        using var scope = NewDisposeScope();
        var current = sample.alias();
        for (var axis = 0; axis < sigmas.Length; axis++)
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
            using var kernel = tensor(weights.Select(w => (float)(w / total)).ToArray(), [1, 1, 2 * radius + 1], device: sample.device);
            // The axis to blur goes last, everything else becomes the batch of a 1D convolution.
            var moved = current.movedim([axis + 1], [-1]);
            var shape = moved.shape;
            var rows = moved.reshape(-1, 1, length);
            var padded = nn.functional.pad(rows, [radius, radius], PaddingModes.Reflect);
            current = nn.functional.conv1d(padded, kernel).reshape(shape).movedim([-1], [axis + 1]);
        }
        return current.contiguous().MoveToOuterDisposeScope();
    }
}
