using ClinicaDL.Core.Runtime;
using ClinicaDL.Core.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Training;

/// <summary>
/// ClinicaDL's reconstruction metrics of one sample [channels, spatial...] against its reconstruction, each
/// computed per image or part and averaged over a group: MAE, RMSE, PSNR as skimage's peak_signal_noise_ratio
/// (data range 1 for values in [0, 1], 2 in [-1, 1]; beyond, where skimage refuses, the image's own range) and
/// SSIM as ClinicaDL's pytorch_ssim (Gaussian window of 11 voxels, sigma 1.5, zero padding, C1 = 0.01²,
/// C2 = 0.03², the mean of the SSIM map), over the spatial axes of each channel.
/// </summary>
public static class ReconstructionMetrics
{
    public static readonly string[] Names = ["MAE", "RMSE", "PSNR", "SSIM"];

    /// <summary>pytorch_ssim's window along one axis: 11 Gaussian weights, sigma 1.5, summing to 1.</summary>
    private static readonly double[] WindowKernel = SeparableFilter.Gaussian(radius: 5, sigma: 1.5);

    public static double[] Compute(Tensor truth, Tensor output)
    {
        using var scope = NewDisposeScope();
        var x = truth.to(ScalarType.Float64);
        var y = output.to(ScalarType.Float64);
        var difference = y - x;
        var mae = difference.abs().mean().item<double>();
        var mse = difference.Squared().mean().item<double>();
        var (low, high) = (x.min().item<double>(), x.max().item<double>());
        var range = low >= 0 && high <= 1 ? 1.0 : low >= -1 && high <= 1 ? 2.0 : high - low;
        var psnr = mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(range * range / mse);
        return [mae, Math.Sqrt(mse), psnr, Ssim(x, y)];
    }

    private static double Ssim(Tensor x, Tensor y)
    {
        using var scalars = new ScalarScope();
        var (c1, c2, two) = (scalars.Of(0.01 * 0.01), scalars.Of(0.03 * 0.03), scalars.Of(2L));
        var muX = Window(x);
        var muY = Window(y);
        var varianceX = Window(x * x) - muX * muX;
        var varianceY = Window(y * y) - muY * muY;
        var covariance = Window(x * y) - muX * muY;
        var map = (two * muX * muY).Plus(c1) * (two * covariance).Plus(c2) / ((muX * muX).Plus(muY * muY).Plus(c1) * varianceX.Plus(varianceY).Plus(c2));
        return map.mean().item<double>();
    }

    /// <summary>The Gaussian window's weighted mean around each voxel, zero outside the image.</summary>
    private static Tensor Window(Tensor sample) =>
        SeparableFilter.Apply(sample, Enumerable.Repeat(WindowKernel, (int)sample.dim() - 1).ToArray(), SeparableFilter.Edge.Zero);
}
