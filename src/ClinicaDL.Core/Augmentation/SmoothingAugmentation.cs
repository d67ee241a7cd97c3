using System.Globalization;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>ClinicaDL's RandomSmoothing(sigma=(0, 1)): one Gaussian blur of sigma ~ U(0, 1) voxels along every spatial axis.</summary>
public sealed class SmoothingAugmentation : Augmentation<SmoothingParameters>
{
    public override string Name => "Smoothing";

    public override SmoothingParameters Draw(Tensor sample, Generator generator) => new(RandomDraws.Uniform(generator, 0, 1));

    public override Tensor Apply(Tensor sample, SmoothingParameters parameters) =>
        GaussianBlur.Apply(sample, Enumerable.Repeat(parameters.Sigma, (int)sample.dim() - 1).ToArray());
}

/// <summary>The standard deviation in voxels, the same along every axis.</summary>
public sealed record SmoothingParameters(double Sigma) : AugmentationParameters
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Smoothing(sigma={Sigma} voxels)");
}
