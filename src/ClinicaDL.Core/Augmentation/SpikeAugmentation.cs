using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>TorchIO's RandomSpike(num_spikes=1, intensity=(1, 3)): one k-space point set to 1-3 times the spectrum's peak, striping the image.</summary>
public sealed class SpikeAugmentation : Augmentation<SpikeParameters>
{
    public override string Name => "Spike";

    /// <summary>The intensity, then per spatial axis a distance then a side.</summary>
    public override SpikeParameters Draw(Tensor sample, Generator generator)
    {
        var intensity = RandomDraws.Uniform(generator, 1, 3);
        var position = new long[sample.dim() - 1];
        for (var axis = 1; axis < sample.dim(); axis++)
        {
            // Away from the centre by 5-45% of the axis, as TorchIO draws spike positions.
            var size = sample.shape[axis];
            var offset = (long)(RandomDraws.Uniform(generator, 0.05, 0.45) * size) * (RandomDraws.Uniform(generator, 0, 1) < 0.5 ? -1 : 1);
            position[axis - 1] = Math.Clamp(size / 2 + offset, 0, size - 1);
        }
        return new(intensity, position);
    }

    public override Tensor Apply(Tensor sample, SpikeParameters parameters)
    {
        using var scope = NewDisposeScope();
        var spectrum = KSpace.Forward(sample);
        var peak = spectrum.abs().max().item<float>();
        TensorIndex[] index = [TensorIndex.Colon, .. parameters.Position.Select(p => TensorIndex.Single(p))];
        using var spike = (peak * parameters.Intensity).ToScalar();
        spectrum[index].fill_(spike);
        return KSpace.Inverse(spectrum).MoveToOuterDisposeScope();
    }
}

/// <summary>The spike's value as a multiple of the spectrum's peak, and its index in the centred k-space, per spatial axis.</summary>
public sealed record SpikeParameters(double Intensity, IReadOnlyList<long> Position) : AugmentationParameters
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Spike(intensity={Intensity}, position=[{Joined(Position)}])");
}
