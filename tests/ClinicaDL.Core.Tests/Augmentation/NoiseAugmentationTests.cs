using ClinicaDL.Core.Augmentation;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Augmentation;

public sealed class NoiseAugmentationTests
{
    private readonly NoiseAugmentation _noise = new();

    public NoiseAugmentationTests() => TorchNatives.EnsureLoaded();

    [Fact]
    public void Apply_adds_sigma_times_the_standard_normal_draws()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Volume();
        var draws = full(sample.shape, 2f);

        var noisy = _noise.Apply(sample, new NoiseParameters(0.25, draws));

        TensorAssert.Identical(sample + 0.5f, noisy);
    }

    [Fact]
    public void Apply_with_sigma_0_leaves_the_sample_as_it_is()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Slice();

        var noisy = _noise.Apply(sample, new NoiseParameters(0, randn(sample.shape)));

        TensorAssert.Identical(sample, noisy);
    }

    [Fact]
    public void Draw_takes_sigma_under_0_1_and_one_standard_normal_draw_per_voxel()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Volume();
        for (ulong seed = 1; seed <= 20; seed++)
        {
            using var generator = new Generator(seed);

            var parameters = _noise.Draw(sample, generator);

            Assert.InRange(parameters.Sigma, 0, 0.1);
            Assert.Equal(sample.shape, parameters.StandardNormal.shape);
            Assert.InRange(parameters.StandardNormal.mean().item<float>(), -0.1, 0.1);
            Assert.InRange(parameters.StandardNormal.std().item<float>(), 0.9, 1.1);
        }
    }

    [Fact]
    public void Parameters_read_as_a_log_line()
    {
        using var scope = NewDisposeScope();

        Assert.Equal("Noise(sigma=0.05, N(0, 1) draws of shape 1x2x3)", new NoiseParameters(0.05, zeros(1, 2, 3)).ToString());
    }
}
