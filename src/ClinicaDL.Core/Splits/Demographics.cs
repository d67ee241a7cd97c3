using MathNet.Numerics.Distributions;

namespace ClinicaDL.Core.Splits;

/// <summary>
/// The balance tests of a hold-out split: Student's t-test (equal variances) on age, and a chi-square
/// goodness-of-fit of the subset's sex counts against the train proportions. ClinicaDL's chi-square compares
/// proportions instead of counts, which makes its p-value close to 1 for almost any split; counts give the test
/// its meaning. A variable without variation gives p = 1, as in ClinicaDL.
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
            double observed = subset.Count(s => s == category);
            var expected = subset.Count * (double)train.Count(s => s == category) / train.Count;
            if (expected == 0)
            {
                if (observed > 0)
                {
                    return 0.0;
                }
                continue;
            }
            chiSquare += (observed - expected) * (observed - expected) / expected;
        }
        return 1 - ChiSquared.CDF(categories.Count - 1, chiSquare);
    }
}
