namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// How much a registered image looks like the template over the template's brain voxels: the Pearson correlation of
/// intensities (blind to a global gain and offset), and the normalised mutual information of their joint histogram
/// (blind to any one-to-one remapping of the intensities, so a scanner's other contrast or a residual bias changes it
/// less; it is what the registration itself maximises).
/// </summary>
public static class ImageSimilarity
{
    /// <summary>Histogram bins per image for the mutual information (Mattes et al. use 32 to 50 for brain MRI).</summary>
    public const int Bins = 32;

    /// <summary>The fraction of the brain's intensities left out at each end of an image's bin range, so a few hot voxels do not squeeze the rest into one bin.</summary>
    private const double TailFraction = 0.005;

    /// <summary>Pearson's correlation over the voxels listed in <paramref name="brain"/>; 0 when either image is constant there.</summary>
    public static double Correlation(float[] image, float[] template, int[] brain)
    {
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        foreach (var index in brain)
        {
            double x = image[index], y = template[index];
            sx += x;
            sy += y;
            sxx += x * x;
            syy += y * y;
            sxy += x * y;
        }
        var n = (double)brain.Length;
        var covariance = sxy - sx * sy / n;
        var spread = Math.Sqrt(Math.Max(0, sxx - sx * sx / n) * Math.Max(0, syy - sy * sy / n));
        return spread > 0 ? covariance / spread : 0;
    }

    /// <summary>
    /// The symmetric uncertainty 2 I(A;B) / (H(A) + H(B)), in [0, 1] (1 when either image's bin determines the other's),
    /// as ClinicaDL's t1-volume quality check computes its frontal similarity, on <see cref="Bins"/> bins spanning each
    /// image's robust intensity range over the brain.
    /// </summary>
    public static double NormalisedMutualInformation(float[] image, float[] template, int[] brain)
    {
        var (imageLow, imageWidth) = BinRange(image, brain);
        var (templateLow, templateWidth) = BinRange(template, brain);
        var joint = new double[Bins * Bins];
        foreach (var index in brain)
        {
            joint[Bin(image[index], imageLow, imageWidth) * Bins + Bin(template[index], templateLow, templateWidth)]++;
        }
        var imageMarginal = new double[Bins];
        var templateMarginal = new double[Bins];
        for (var a = 0; a < Bins; a++)
        {
            for (var b = 0; b < Bins; b++)
            {
                imageMarginal[a] += joint[a * Bins + b];
                templateMarginal[b] += joint[a * Bins + b];
            }
        }
        var n = (double)brain.Length;
        var (imageEntropy, templateEntropy, jointEntropy) = (Entropy(imageMarginal, n), Entropy(templateMarginal, n), Entropy(joint, n));
        var sum = imageEntropy + templateEntropy;
        return sum > 0 ? 2 * (sum - jointEntropy) / sum : 0;
    }

    private static double Entropy(double[] counts, double total)
    {
        var entropy = 0.0;
        foreach (var count in counts)
        {
            if (count > 0)
            {
                var p = count / total;
                entropy -= p * Math.Log(p);
            }
        }
        return entropy;
    }

    private static int Bin(float value, double low, double width) => Math.Clamp((int)((value - low) / width), 0, Bins - 1);

    /// <summary>The lower edge and width of the bins: the brain's intensities between the tails, from a sample of every seventh voxel.</summary>
    private static (double Low, double Width) BinRange(float[] values, int[] brain)
    {
        var sample = new float[(brain.Length + 6) / 7];
        for (var i = 0; i < sample.Length; i++)
        {
            sample[i] = values[brain[i * 7]];
        }
        Array.Sort(sample);
        double low = sample[(int)(TailFraction * (sample.Length - 1))];
        double high = sample[(int)((1 - TailFraction) * (sample.Length - 1))];
        return (low, Math.Max(high - low, 1e-12) / Bins);
    }
}
