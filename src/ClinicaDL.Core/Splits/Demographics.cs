using MathNet.Numerics.Distributions;

namespace ClinicaDL.Core.Splits;

/// <summary>
/// The balance tests of a hold-out split, as ClinicaDL computes them: Student's t-test (equal variances) on age,
/// and scipy's chisquare on the sex <em>proportions</em> of the subset against those of train. On proportions
/// the statistic is sum((p_subset - p_train)^2 / p_train), so a p-value of 0.80 means the proportions differ by
/// about 12 points at most, whatever the cohort size: a tolerance on proportions rather than a significance
/// test (on counts, small cohorts could never reach 0.80). A variable without variation gives p = 1, as in ClinicaDL.
/// </summary>
internal static class Demographics
{
    public static double AgePValue(IReadOnlyList<double> subset, IReadOnlyList<double> train)
    {
        if (subset.Count < 2 || train.Count < 2)
        {
            return 1.0;
        }
        double meanA = subset.Average(), meanB = train.Average();
        var sumSquares = subset.Sum(x => (x - meanA) * (x - meanA)) + train.Sum(x => (x - meanB) * (x - meanB));
        var degrees = subset.Count + train.Count - 2;
        var pooled = sumSquares / degrees;
        if (pooled == 0)
        {
            return meanA == meanB ? 1.0 : 0.0;
        }
        var t = (meanA - meanB) / Math.Sqrt(pooled * (1.0 / subset.Count + 1.0 / train.Count));
        return 2 * StudentT.CDF(0, 1, degrees, -Math.Abs(t));
    }

    public static double SexPValue(IReadOnlyList<string> subset, IReadOnlyList<string> train)
    {
        var categories = subset.Concat(train).Distinct(StringComparer.Ordinal).ToList();
        if (categories.Count < 2 || subset.Count == 0 || train.Count == 0)
        {
            return 1.0;
        }
        var chiSquare = 0.0;
        foreach (var category in categories)
        {
            var observed = (double)subset.Count(s => s == category) / subset.Count;
            var expected = (double)train.Count(s => s == category) / train.Count;
            if (expected == 0)
            {
                return 0.0;
            }
            chiSquare += (observed - expected) * (observed - expected) / expected;
        }
        return 1 - ChiSquared.CDF(categories.Count - 1, chiSquare);
    }
}
