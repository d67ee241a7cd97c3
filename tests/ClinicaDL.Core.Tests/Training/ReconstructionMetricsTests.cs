using ClinicaDL.Core.Training;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Training;

/// <summary>
/// MAE, RMSE, PSNR and SSIM of one sample [channels, spatial...] against its reconstruction (Compute returns them
/// in that order), against values worked out by hand and a voxel-by-voxel SSIM written from pytorch_ssim's definition.
/// </summary>
public sealed class ReconstructionMetricsTests
{
    private const int Mae = 0, Rmse = 1, Psnr = 2, Ssim = 3;

    public ReconstructionMetricsTests() => TorchNatives.EnsureLoaded();

    [Fact]
    public void Computes_SSIM_as_pytorch_ssim_with_an_11_voxel_gaussian_window_sigma_1_5_and_zero_padding()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var x = rand(1, 4, 3, 5);
        var y = x + 0.2 * randn(1, 4, 3, 5);

        var expected = ReferenceSsim(Values(x), Values(y), [4, 3, 5]);

        Assert.True(Math.Abs(ReconstructionMetrics.Compute(x, y)[Ssim] - expected) < 1e-9);
        Assert.True(ReconstructionMetrics.Compute(x, x)[Ssim] > 1 - 1e-12);
    }

    [Fact]
    public void Takes_the_images_own_range_for_PSNR_when_it_lies_outside_minus_1_to_1_where_skimage_refuses()
    {
        using var scope = NewDisposeScope();
        var x = linspace(0, 4, 120).reshape(1, 4, 5, 6);

        var metrics = ReconstructionMetrics.Compute(x, x + 0.1);

        Assert.True(Math.Abs(metrics[Mae] - 0.1) < 1e-6);
        Assert.True(Math.Abs(metrics[Psnr] - 10 * Math.Log10(16 / 0.01)) < 1e-4);
    }

    [Theory]
    // skimage's peak_signal_noise_ratio without data_range: 1 for an image in [0, 1], 2 for one in [-1, 1] with
    // negative values, and (here, where skimage raises) max - min beyond.
    [InlineData(0.0, 0.8, 1.0)]
    [InlineData(-0.9, 0.8, 2.0)]
    [InlineData(-3.0, 5.0, 8.0)]
    public void A_shift_of_0_1_gives_MAE_and_RMSE_0_1_and_PSNR_of_the_data_range(double low, double high, double range)
    {
        using var scope = NewDisposeScope();
        var x = linspace(low, high, 2 * 5 * 6, dtype: ScalarType.Float64).reshape(1, 2, 5, 6);

        var metrics = ReconstructionMetrics.Compute(x, x + 0.1);

        Assert.Equal(0.1, metrics[Mae], 12);
        Assert.Equal(0.1, metrics[Rmse], 12);
        // 10 log10(range^2 / MSE), MSE = 0.01.
        Assert.Equal(10 * Math.Log10(range * range / 0.01), metrics[Psnr], 9);
    }

    [Fact]
    public void RMSE_weighs_large_errors_more_than_MAE()
    {
        using var scope = NewDisposeScope();
        var x = zeros([1, 4, 4], ScalarType.Float64);
        // Half the voxels off by 0.2, half exact: MAE 0.1, MSE 0.02.
        var y = x.clone();
        y[TensorIndex.Colon, TensorIndex.Slice(0, 2)] = tensor(0.2, ScalarType.Float64);

        var metrics = ReconstructionMetrics.Compute(x, y);

        Assert.Equal(0.1, metrics[Mae], 12);
        Assert.Equal(Math.Sqrt(0.02), metrics[Rmse], 12);
        Assert.Equal(10 * Math.Log10(1 / 0.02), metrics[Psnr], 9);
    }

    [Fact]
    public void A_perfect_reconstruction_has_no_error_infinite_PSNR_and_SSIM_1()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        var x = rand([1, 9, 8, 7], ScalarType.Float64);

        var metrics = ReconstructionMetrics.Compute(x, x.clone());

        Assert.Equal(0, metrics[Mae]);
        Assert.Equal(0, metrics[Rmse]);
        Assert.Equal(double.PositiveInfinity, metrics[Psnr]);
        Assert.Equal(1, metrics[Ssim], 12);
    }

    [Fact]
    public void Computes_SSIM_of_a_2D_slice_with_a_2D_window()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var x = rand([1, 13, 6], ScalarType.Float64);
        var y = (x + 0.1 * randn([1, 13, 6], ScalarType.Float64)).clamp(0, 1);

        // 13 rows: some voxel pairs lie beyond the window's radius of 5, which must not count.
        Assert.Equal(ReferenceSsim(Values(x), Values(y), [13, 6]), ReconstructionMetrics.Compute(x, y)[Ssim], 10);
    }

    [Fact]
    public void SSIM_of_several_channels_is_the_mean_of_each_channels()
    {
        using var scope = NewDisposeScope();
        manual_seed(8);
        var x = rand([3, 10, 12], ScalarType.Float64);
        var y = x + 0.05 * randn([3, 10, 12], ScalarType.Float64);

        var each = Enumerable.Range(0, 3).Select(c => ReconstructionMetrics.Compute(x[c..(c + 1)], y[c..(c + 1)])[Ssim]).Average();

        Assert.Equal(each, ReconstructionMetrics.Compute(x, y)[Ssim], 12);
    }

    [Fact]
    public void SSIM_is_symmetric()
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        var x = rand([1, 12, 11, 10], ScalarType.Float64);
        var y = (x + 0.1 * randn([1, 12, 11, 10], ScalarType.Float64)).clamp(0, 1);

        Assert.Equal(ReconstructionMetrics.Compute(x, y)[Ssim], ReconstructionMetrics.Compute(y, x)[Ssim], 12);
    }

    [Fact]
    public void SSIM_falls_as_noise_grows()
    {
        using var scope = NewDisposeScope();
        manual_seed(10);
        // A smooth image (a blob), as brains are at this scale, and one noise pattern at growing strength.
        var axis = linspace(-1, 1, 16, dtype: ScalarType.Float64);
        var x = (-(axis.view(16, 1, 1).square() + axis.view(1, 16, 1).square() + axis.view(1, 1, 16).square()) * 2).exp().unsqueeze(0);
        var noise = randn([1, 16, 16, 16], ScalarType.Float64);

        var ssims = new[] { 0.0, 0.02, 0.05, 0.1, 0.2, 0.5 }.Select(level => ReconstructionMetrics.Compute(x, x + level * noise)[Ssim]).ToArray();

        Assert.Equal(1, ssims[0], 12);
        for (var i = 1; i < ssims.Length; i++)
        {
            Assert.True(ssims[i] < ssims[i - 1], $"SSIM {ssims[i]} at noise level {i} is not below {ssims[i - 1]}");
        }
        Assert.True(ssims[^1] < 0.5, $"SSIM {ssims[^1]} under noise as strong as the image");
    }

    private static double[] Values(Tensor sample) => sample.to(ScalarType.Float64).flatten().data<double>().ToArray();

    /// <summary>
    /// pytorch_ssim's SSIM, voxel by voxel: around each voxel, means, variances and covariance weighted by the product
    /// of 1D Gaussian weights (11 taps, sigma 1.5, normalised over the 11), voxels outside the image counting as 0;
    /// C1 = 0.01², C2 = 0.03²; the mean of the map.
    /// </summary>
    private static double ReferenceSsim(double[] a, double[] b, int[] shape)
    {
        var total = Enumerable.Range(-5, 11).Sum(d => Math.Exp(-0.5 * d * d / 2.25));
        double Weight(int d) => Math.Abs(d) > 5 ? 0 : Math.Exp(-0.5 * d * d / 2.25) / total;
        int[] Coordinates(int index)
        {
            var coordinates = new int[shape.Length];
            for (var axis = shape.Length - 1; axis >= 0; axis--)
            {
                coordinates[axis] = index % shape[axis];
                index /= shape[axis];
            }
            return coordinates;
        }
        const double c1 = 0.0001, c2 = 0.0009;
        var sum = 0.0;
        for (var v = 0; v < a.Length; v++)
        {
            var at = Coordinates(v);
            double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
            for (var u = 0; u < a.Length; u++)
            {
                var from = Coordinates(u);
                var w = 1.0;
                for (var axis = 0; axis < shape.Length; axis++)
                {
                    w *= Weight(from[axis] - at[axis]);
                }
                mx += w * a[u]; my += w * b[u]; xx += w * a[u] * a[u]; yy += w * b[u] * b[u]; xy += w * a[u] * b[u];
            }
            sum += (2 * mx * my + c1) * (2 * (xy - mx * my) + c2) / ((mx * mx + my * my + c1) * (xx - mx * mx + yy - my * my + c2));
        }
        return sum / a.Length;
    }
}
