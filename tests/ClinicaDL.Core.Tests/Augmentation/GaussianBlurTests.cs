using ClinicaDL.Core.Augmentation;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Augmentation;

public sealed class GaussianBlurTests
{
    public GaussianBlurTests() => TorchNatives.EnsureLoaded();

    [Fact]
    public void Blurs_as_scipy_gaussian_filter_radius_int_4_sigma_plus_half_with_half_sample_reflection_at_the_edges()
    {
        using var scope = NewDisposeScope();
        // An impulse on the first voxel of a 7-voxel axis, sigma 0.8 (radius 3): reflection folds the taps that fall
        // before the edge back onto the impulse, so output[x] = w(-x) + w(-x - 1) with w the normalised kernel.
        const double sigma = 0.8;
        var w = Enumerable.Range(-3, 7).Select(t => Math.Exp(-0.5 * t * t / (sigma * sigma))).ToArray();
        var total = w.Sum();
        double Tap(int t) => w[t + 3] / total;
        double[] expected = [Tap(0) + Tap(-1), Tap(-1) + Tap(-2), Tap(-2) + Tap(-3), Tap(-3), 0, 0, 0];
        var impulse = zeros(1, 7, 2, 3);
        impulse[0, 0].fill_(1);

        var blurred = GaussianBlur.Apply(impulse, [sigma, 0, 0]);

        Assert.Equal(new long[] { 1, 7, 2, 3 }, blurred.shape);
        var line = blurred.select(3, 2).select(2, 1).flatten().data<float>().ToArray();
        for (var x = 0; x < 7; x++)
        {
            Assert.True(Math.Abs(line[x] - expected[x]) < 1e-6, $"voxel {x}: {line[x]}, expected {expected[x]}");
        }
        Assert.True(blurred.sum().item<float>() > 6 - 1e-4, "reflection keeps the mass of each line");
    }
}
