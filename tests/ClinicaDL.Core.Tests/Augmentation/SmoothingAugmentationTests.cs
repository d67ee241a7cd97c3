using ClinicaDL.Core.Augmentation;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Augmentation;

public sealed class SmoothingAugmentationTests
{
    private readonly SmoothingAugmentation _smoothing = new();

    public SmoothingAugmentationTests() => TorchNatives.EnsureLoaded();

    [Fact]
    public void Apply_blurs_an_impulse_into_the_product_of_one_kernel_per_axis()
    {
        using var scope = NewDisposeScope();
        var impulse = zeros(1, 9, 9, 9);
        impulse[0, 4, 4, 4] = 1;

        var blurred = _smoothing.Apply(impulse, new SmoothingParameters(0.8));

        var kernel = GaussianKernel.Normalised(0.8, radius: 3);
        Assert.Equal(Math.Pow(kernel[3], 3), blurred[0, 4, 4, 4].item<float>(), 1e-6);
        Assert.Equal(kernel[3] * kernel[4] * kernel[5], blurred[0, 4, 5, 6].item<float>(), 1e-6);
        Assert.Equal(1, blurred.sum().item<float>(), 1e-5);
    }

    [Fact]
    public void Apply_with_sigma_near_0_leaves_the_sample_as_it_is()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Slice();

        TensorAssert.Identical(sample, _smoothing.Apply(sample, new SmoothingParameters(0.1)));
    }

    [Fact]
    public void Draw_takes_one_sigma_under_1()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Volume();
        for (ulong seed = 1; seed <= 20; seed++)
        {
            using var generator = new Generator(seed);

            Assert.InRange(_smoothing.Draw(sample, generator).Sigma, 0, 1);
        }
    }

    [Fact]
    public void Parameters_read_as_a_log_line()
    {
        Assert.Equal("Smoothing(sigma=0.5 voxels)", new SmoothingParameters(0.5).ToString());
    }
}
