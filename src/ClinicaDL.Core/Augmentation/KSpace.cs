using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>The centred Fourier transform of a sample's spatial axes and back, for the k-space artefacts.</summary>
internal static class KSpace
{
    public static Tensor Forward(Tensor sample)
    {
        var axes = SpatialAxes(sample);
        using var spectrum = fft.fftn(sample, dim: axes);
        return fft.fftshift(spectrum, axes);
    }

    /// <summary>The magnitude image of a centred spectrum (MR images are magnitudes).</summary>
    public static Tensor Inverse(Tensor spectrum)
    {
        var axes = SpatialAxes(spectrum);
        using var shifted = fft.ifftshift(spectrum, axes);
        using var image = fft.ifftn(shifted, dim: axes);
        return image.abs().to(ScalarType.Float32);
    }

    private static long[] SpatialAxes(Tensor sample) => Enumerable.Range(1, (int)sample.dim() - 1).Select(a => (long)a).ToArray();
}
