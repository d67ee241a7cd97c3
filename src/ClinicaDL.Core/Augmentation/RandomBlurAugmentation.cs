using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>TorchIO's RandomBlur(std=(0, 2)): a Gaussian blur with its own sigma ~ U(0, 2) voxels along each spatial axis.</summary>
public sealed class RandomBlurAugmentation : Augmentation<RandomBlurParameters>
{
    public override string Name => "RandomBlur";

    public override RandomBlurParameters Draw(Tensor sample, Generator generator) =>
        new([.. Enumerable.Range(0, (int)sample.dim() - 1).Select(_ => RandomDraws.Uniform(generator, 0, 2))]);

    public override Tensor Apply(Tensor sample, RandomBlurParameters parameters) => GaussianBlur.Apply(sample, [.. parameters.Sigmas]);
}

/// <summary>The standard deviation in voxels along each spatial axis, in the sample's axis order.</summary>
public sealed record RandomBlurParameters(IReadOnlyList<double> Sigmas) : AugmentationParameters
{
    public override string ToString() => $"RandomBlur(sigmas=[{Joined(Sigmas)}] voxels)";
}
