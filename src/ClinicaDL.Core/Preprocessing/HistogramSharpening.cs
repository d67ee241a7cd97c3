using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// N3's and N4's intensity sharpening (Sled et al. 1998; Tustison et al. 2010, as ITK's N4 filter does it): the
/// bias field blurs the log-intensity histogram by a Gaussian; deconvolving the histogram by that Gaussian with a
/// Wiener filter estimates the unblurred histogram, and each voxel moves to its expected unblurred value given
/// its blurred one.
/// </summary>
internal sealed class HistogramSharpening(int bins, double biasFwhm, double wienerNoise)
{
    /// <summary>Writes the sharpened value of each log intensity.</summary>
    public void Sharpen(ReadOnlySpan<double> logIntensities, Span<double> sharpened)
    {
        var minimum = double.PositiveInfinity;
        var maximum = double.NegativeInfinity;
        foreach (var value in logIntensities)
        {
            minimum = Math.Min(minimum, value);
            maximum = Math.Max(maximum, value);
        }
        if (maximum <= minimum)
        {
            logIntensities.CopyTo(sharpened);
            return;
        }
        var slope = (maximum - minimum) / (bins - 1);

        // Triangular Parzen window: each value splits its count between the two nearest bins.
        var histogram = new double[bins];
        foreach (var value in logIntensities)
        {
            var position = (value - minimum) / slope;
            var bin = Math.Min((int)position, bins - 1);
            var fraction = position - bin;
            if (bin < bins - 1)
            {
                histogram[bin] += 1 - fraction;
                histogram[bin + 1] += fraction;
            }
            else
            {
                histogram[bin] += 1;
            }
        }

        // Zero-padded to twice the next power of two, so that the circular convolutions do not wrap around.
        var padded = 2 << (int)Math.Ceiling(Math.Log2(bins));
        var offset = (padded - bins) / 2;
        var spectrum = new Complex[padded];
        for (var n = 0; n < bins; n++)
        {
            spectrum[n + offset] = histogram[n];
        }
        Fourier.Forward(spectrum, FourierOptions.NoScaling);

        var blur = BlurSpectrum(padded, biasFwhm / slope);
        var deblurred = new Complex[padded];
        for (var n = 0; n < padded; n++)
        {
            var wiener = Complex.Conjugate(blur[n]) / (Complex.Conjugate(blur[n]) * blur[n] + wienerNoise);
            deblurred[n] = spectrum[n] * wiener.Real;
        }
        Fourier.Inverse(deblurred, FourierOptions.NoScaling);
        for (var n = 0; n < padded; n++)
        {
            deblurred[n] = Math.Max(deblurred[n].Real, 0);
        }

        // E[u | v]: the blurred first moment of the deblurred histogram over its blurred mass.
        var moment = new Complex[padded];
        for (var n = 0; n < padded; n++)
        {
            moment[n] = (minimum + (n - offset) * slope) * deblurred[n].Real;
        }
        var numerator = Blur(moment, blur);
        var denominator = Blur(deblurred, blur);
        var expected = new double[bins];
        for (var n = 0; n < bins; n++)
        {
            var mass = denominator[n + offset].Real;
            expected[n] = mass != 0 ? numerator[n + offset].Real / mass : 0;
        }

        for (var i = 0; i < logIntensities.Length; i++)
        {
            var position = (logIntensities[i] - minimum) / slope;
            var bin = (int)position;
            sharpened[i] = bin < bins - 1 ? expected[bin] + (expected[bin + 1] - expected[bin]) * (position - bin) : expected[bins - 1];
        }
    }

    /// <summary>The spectrum of a unit-area Gaussian of the given FWHM in bins, centred on bin 0 of a circular axis.</summary>
    private static Complex[] BlurSpectrum(int padded, double fwhmInBins)
    {
        var exponent = 4 * Math.Log(2) / (fwhmInBins * fwhmInBins);
        var scale = 2 * Math.Sqrt(Math.Log(2) / Math.PI) / fwhmInBins;
        var kernel = new Complex[padded];
        kernel[0] = scale;
        for (var n = 1; n <= padded / 2; n++)
        {
            kernel[n] = kernel[padded - n] = scale * Math.Exp(-(double)n * n * exponent);
        }
        Fourier.Forward(kernel, FourierOptions.NoScaling);
        return kernel;
    }

    private static Complex[] Blur(Complex[] signal, Complex[] blur)
    {
        var transformed = (Complex[])signal.Clone();
        Fourier.Forward(transformed, FourierOptions.NoScaling);
        for (var n = 0; n < transformed.Length; n++)
        {
            transformed[n] *= blur[n];
        }
        Fourier.Inverse(transformed, FourierOptions.NoScaling);
        return transformed;
    }
}
