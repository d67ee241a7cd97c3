using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>ClinicaDL's RandomCropPad(10): shifts the content by up to 10 voxels along each spatial axis, zero-filled.</summary>
public sealed class CropPadAugmentation : Augmentation<CropPadParameters>
{
    private const long MaximumShift = 10;

    public override string Name => "CropPad";

    public override CropPadParameters Draw(Tensor sample, Generator generator) =>
        new([.. Enumerable.Range(0, (int)sample.dim() - 1).Select(_ => RandomDraws.UniformInteger(generator, -MaximumShift, MaximumShift))]);

    public override Tensor Apply(Tensor sample, CropPadParameters parameters)
    {
        var spatial = (int)sample.dim() - 1;
        var pad = new long[2 * spatial];
        for (var axis = 0; axis < spatial; axis++)
        {
            var shift = parameters.Shifts[axis];
            // F.pad lists the last axis first; padding one side by s and cropping the other by s shifts by s.
            pad[2 * (spatial - 1 - axis)] = shift;
            pad[2 * (spatial - 1 - axis) + 1] = -shift;
        }
        return nn.functional.pad(sample, pad);
    }
}

/// <summary>The shift in voxels along each spatial axis, in the sample's axis order (positive: towards higher indices).</summary>
public sealed record CropPadParameters(IReadOnlyList<long> Shifts) : AugmentationParameters
{
    public override string ToString() => $"CropPad(shifts=[{Joined(Shifts)}] voxels)";
}
