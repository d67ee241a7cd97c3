namespace ClinicaDL.Core.Tests.Augmentation;

/// <summary>The expected blur: a sampled Gaussian normalised to sum 1, taps from -radius to radius.</summary>
internal static class GaussianKernel
{
    public static double[] Normalised(double sigma, int radius)
    {
        var taps = Enumerable.Range(-radius, 2 * radius + 1).Select(t => Math.Exp(-0.5 * t * t / (sigma * sigma))).ToArray();
        var total = taps.Sum();
        return [.. taps.Select(t => t / total)];
    }
}
