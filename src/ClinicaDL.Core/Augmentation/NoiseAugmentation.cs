using ClinicaDL.Core.Runtime;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>ClinicaDL's RandomNoising(sigma=0.1): adds N(0, sigma) with sigma ~ U(0, 0.1).</summary>
public sealed class NoiseAugmentation : Augmentation<NoiseParameters>
{
    public override string Name => "Noise";

    public override NoiseParameters Draw(Tensor sample, Generator generator)
    {
        var sigma = RandomDraws.Uniform(generator, 0, 0.1);
        return new(sigma, randn(sample.shape, generator: generator, device: sample.device));
    }

    public override Tensor Apply(Tensor sample, NoiseParameters parameters)
    {
        using var sigma = parameters.Sigma.ToScalar();
        using var scaled = parameters.StandardNormal * sigma;
        return sample.Plus(scaled);
    }
}

/// <summary>
/// The standard deviation and the N(0, 1) draws it scales, one per voxel (drawn with the sigma: the generator is
/// read in that order). The draws are a tensor of the sample's shape, freed with the dispose scope they were drawn in.
/// </summary>
public sealed record NoiseParameters(double Sigma, Tensor StandardNormal) : AugmentationParameters
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Noise(sigma={Sigma}, N(0, 1) draws of shape {string.Join("x", StandardNormal.shape)})");
}
