using ClinicaDL.Core.Augmentation;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Augmentation;

public sealed class RandomBlurAugmentationTests
{
    private readonly RandomBlurAugmentation _blur = new();

    public RandomBlurAugmentationTests() => TorchNatives.EnsureLoaded();

    [Fact]
    public void Apply_blurs_each_axis_with_its_own_sigma()
    {
        using var scope = NewDisposeScope();
        var impulse = zeros(1, 9, 9, 9);
        impulse[0, 4, 4, 4] = 1;

        var blurred = _blur.Apply(impulse, new RandomBlurParameters([0, 0, 0.8]));

        var kernel = GaussianKernel.Normalised(0.8, radius: 3);
        for (var t = -3; t <= 3; t++)
        {
            Assert.Equal(kernel[t + 3], blurred[0, 4, 4, 4 + t].item<float>(), 1e-6);
        }
        Assert.Equal(0, blurred[0, 3, 4, 4].item<float>());
        Assert.Equal(0, blurred[0, 4, 3, 4].item<float>());
        Assert.Equal(1, blurred.sum().item<float>(), 1e-5);
    }

    [Fact]
    public void Draw_takes_one_sigma_under_2_per_spatial_axis()
    {
        using var scope = NewDisposeScope();
        foreach (var sample in new[] { AugmentationInputs.Volume(), AugmentationInputs.Slice() })
        {
            using var generator = new Generator(3);

            var parameters = _blur.Draw(sample, generator);

            Assert.Equal(sample.dim() - 1, parameters.Sigmas.Count);
            Assert.All(parameters.Sigmas, sigma => Assert.InRange(sigma, 0, 2));
        }
    }

    [Fact]
    public void Parameters_read_as_a_log_line()
    {
        Assert.Equal("RandomBlur(sigmas=[0, 1.5, 0.25] voxels)", new RandomBlurParameters([0, 1.5, 0.25]).ToString());
    }
}
