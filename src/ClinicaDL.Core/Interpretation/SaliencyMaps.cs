using ClinicaDL.Core.Runtime;
using ClinicaDL.Core.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Interpretation;

/// <summary>
/// Saliency maps of a batch [batch, channels, spatial...] for one output node, each map of the input's spatial
/// shape. The model must be in evaluation mode (fixed BatchNorm statistics, no dropout) so that a map depends
/// on its own image only.
/// </summary>
public static class SaliencyMaps
{
    /// <summary>Maps [batch, 1 or channels, spatial...] on the input's device.</summary>
    public static Tensor Compute(nn.Module<Tensor, Tensor> model, Tensor input, SaliencySettings settings, bool classification, Generator? noise = null) =>
        settings.Method switch
        {
            SaliencyMethod.Gradients => Gradients(model, input, settings.TargetNode),
            SaliencyMethod.SmoothGrad => SmoothGrad(model, input, settings, noise),
            SaliencyMethod.GradCam => GradCam(model, input, settings.TargetNode, settings.GradCamLevel),
            SaliencyMethod.Occlusion => Occlusion(model, input, settings, classification),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Method, "unknown saliency method"),
        };

    /// <summary>Why the method cannot run on this network with these settings, or null (Grad-CAM needs a convolutional feature stack).</summary>
    public static string? Unsupported(nn.Module<Tensor, Tensor> model, SaliencySettings settings)
    {
        if (settings.Method != SaliencyMethod.GradCam)
        {
            return null;
        }
        if (model is not IFeatureNetwork network)
        {
            return $"Grad-CAM needs a network with a convolutional feature stack followed by a head; {model.GetName()} has none. Use Gradients, SmoothGrad or Occlusion.";
        }
        return settings.GradCamLevel is { } level && (level < 1 || level > network.FeatureLayerCount)
            ? $"The Grad-CAM level must be between 1 and {network.FeatureLayerCount} (the feature layers of {model.GetName()}); got {level}."
            : null;
    }

    /// <summary>d output[target] / d input (ClinicaDL's VanillaBackProp).</summary>
    private static Tensor Gradients(nn.Module<Tensor, Tensor> model, Tensor input, int target)
    {
        using var scope = NewDisposeScope();
        var leaf = input.detach().requires_grad_(true);
        var output = model.forward(leaf);
        output[TensorIndex.Colon, target].sum().backward();
        return leaf.grad!.detach().clone().MoveToOuterDisposeScope();
    }

    /// <summary>The mean gradient over noisy copies: sharper maps than plain gradients, whose noise averages out.</summary>
    private static Tensor SmoothGrad(nn.Module<Tensor, Tensor> model, Tensor input, SaliencySettings settings, Generator? noise)
    {
        using var scope = NewDisposeScope();
        var dimensions = Enumerable.Range(1, (int)input.dim() - 1).Select(d => (long)d).ToArray();
        var range = input.amax(dimensions, keepdim: true) - input.amin(dimensions, keepdim: true);
        var sum = zeros_like(input);
        using var noiseFraction = settings.SmoothGradNoise.ToScalar();
        for (var sample = 0; sample < settings.SmoothGradSamples; sample++)
        {
            using var step = NewDisposeScope();
            var noisy = input.Plus(randn(input.shape, generator: noise, device: input.device) * (range * noiseFraction));
            sum.PlusInPlace(Gradients(model, noisy, settings.TargetNode));
        }
        using var samples = ((long)settings.SmoothGradSamples).ToScalar();
        return (sum / samples).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Grad-CAM (Selvaraju et al. 2017) on the feature map after <paramref name="level"/> layers (the last by default): channels weighted by their gradient averaged over
    /// every spatial axis, summed, upsampled to the input (trilinear or bilinear, corners aligned as ClinicaDL).
    /// As ClinicaDL, without the original method's final ReLU: the sign is kept, positive where the region argues
    /// for the target node and negative where it argues against it (with a ReLU, the map of an image of the other
    /// class is zero everywhere, and so was the group mean of a small test set here). One deliberate difference
    /// from ClinicaDL 1.6: the gradient is averaged over all three spatial axes (ClinicaDL averages two in 3D).
    /// </summary>
    private static Tensor GradCam(nn.Module<Tensor, Tensor> model, Tensor input, int target, int? level)
    {
        var network = model as IFeatureNetwork ?? throw new InvalidOperationException(Unsupported(model, new SaliencySettings { Method = SaliencyMethod.GradCam }));
        var split = level ?? network.FeatureLayerCount;
        using var scope = NewDisposeScope();
        Tensor features;
        using (no_grad())
        {
            features = network.Features(input, split);
        }
        var leaf = features.detach().requires_grad_(true);
        network.Head(leaf, split)[TensorIndex.Colon, target].sum().backward();
        var spatial = Enumerable.Range(2, (int)leaf.dim() - 2).Select(d => (long)d).ToArray();
        var weights = leaf.grad!.mean(spatial, keepdim: true);
        var cam = (weights * leaf.detach()).sum(1, keepdim: true);
        var size = input.shape[2..];
        var mode = size.Length == 3 ? InterpolationMode.Trilinear : InterpolationMode.Bilinear;
        return nn.functional.interpolate(cam, size, mode: mode, align_corners: true).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// For each cube of a grid tiling the image: the target score (class probability, or the regression output)
    /// of the image minus that of the image with the cube set to 0 (the background of min-max normalised
    /// images). Positive where hiding the region lowers the score.
    /// </summary>
    private static Tensor Occlusion(nn.Module<Tensor, Tensor> model, Tensor input, SaliencySettings settings, bool classification)
    {
        if (settings.OcclusionSize < 1)
        {
            throw new ArgumentException($"The occlusion size must be at least 1 voxel; got {settings.OcclusionSize}.");
        }
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        using var noGrad = no_grad();
        var spatial = input.shape[2..];
        var size = settings.OcclusionSize;
        var counts = spatial.Select(s => (s + size - 1) / size).ToArray();
        var positions = counts.Aggregate(1L, (a, b) => a * b);
        var maps = zeros([input.shape[0], 1, .. spatial], device: input.device);
        const int chunk = 16;
        for (var b = 0; b < input.shape[0]; b++)
        {
            var image = input[b].unsqueeze(0);
            var baseline = Score(model, image, settings.TargetNode, classification)[0];
            for (var first = 0L; first < positions; first += chunk)
            {
                using var step = NewDisposeScope();
                var count = Math.Min(chunk, positions - first);
                var copies = image.repeat([count, .. Enumerable.Repeat(1L, (int)input.dim() - 1)]);
                for (var k = 0; k < count; k++)
                {
                    copies[Window(k, Corner(first + k, counts), size, spatial)].fill_(scalars.Of(0L));
                }
                var drops = (baseline - Score(model, copies, settings.TargetNode, classification)).cpu().data<float>().ToArray();
                for (var k = 0; k < count; k++)
                {
                    maps[Window(b, Corner(first + k, counts), size, spatial)].fill_(scalars.Of(drops[k]));
                }
            }
        }
        return maps.MoveToOuterDisposeScope();
    }

    private static Tensor Score(nn.Module<Tensor, Tensor> model, Tensor batch, int target, bool classification)
    {
        var output = model.forward(batch);
        return (classification ? nn.functional.softmax(output, 1) : output)[TensorIndex.Colon, target];
    }

    /// <summary>The grid cell of a flat position (last axis fastest).</summary>
    private static long[] Corner(long position, long[] counts)
    {
        var corner = new long[counts.Length];
        for (var axis = counts.Length - 1; axis >= 0; axis--)
        {
            corner[axis] = position % counts[axis];
            position /= counts[axis];
        }
        return corner;
    }

    private static TensorIndex[] Window(long sample, long[] corner, int size, long[] spatial) =>
        [TensorIndex.Single(sample), TensorIndex.Colon, .. corner.Select((c, axis) => TensorIndex.Slice(c * size, Math.Min((c + 1) * size, spatial[axis])))];
}
