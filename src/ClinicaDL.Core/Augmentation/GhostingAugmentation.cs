using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>
/// TorchIO's RandomGhosting(num_ghosts=(4, 10), intensity=(0.5, 1), restore=0.02): along a random spatial axis,
/// every n-th k-space plane is attenuated, outside the central 2% kept intact, which replicates the image n times.
/// </summary>
public sealed class GhostingAugmentation : Augmentation<GhostingParameters>
{
    public override string Name => "Ghosting";

    public override GhostingParameters Draw(Tensor sample, Generator generator)
    {
        var ghosts = RandomDraws.UniformInteger(generator, 4, 10);
        var intensity = RandomDraws.Uniform(generator, 0.5, 1);
        var axis = (int)RandomDraws.UniformInteger(generator, 1, sample.dim() - 1);
        return new(ghosts, intensity, axis);
    }

    public override Tensor Apply(Tensor sample, GhostingParameters parameters)
    {
        using var scope = NewDisposeScope();
        var axis = parameters.Axis;
        var spectrum = KSpace.Forward(sample);
        var size = sample.shape[axis];
        var centre = size / 2;
        var keep = (long)Math.Ceiling(0.02 * size / 2);
        var factors = ones(size, device: sample.device);
        using var attenuated = (1 - parameters.Intensity).ToScalar();
        for (var line = 0L; line < size; line += parameters.Ghosts)
        {
            if (Math.Abs(line - centre) > keep)
            {
                factors[line].fill_(attenuated);
            }
        }
        var shape = Enumerable.Repeat(1L, (int)sample.dim()).ToArray();
        shape[axis] = size;
        return KSpace.Inverse(spectrum * factors.reshape(shape)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Every <see cref="Ghosts"/>-th k-space plane of tensor axis <see cref="Axis"/> (1 is the first spatial axis) is
/// multiplied by 1 - <see cref="Intensity"/>.
/// </summary>
public sealed record GhostingParameters(long Ghosts, double Intensity, int Axis) : AugmentationParameters
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Ghosting(ghosts={Ghosts}, intensity={Intensity}, axis={Axis})");
}
