namespace ClinicaDL.Core.Training;

/// <summary>One metric's value with its 95% percentile-bootstrap interval and standard error.</summary>
public sealed record MetricEstimate(double Value, double Lower, double Upper, double StandardError);

/// <summary>
/// Paired percentile bootstrap, as ClinicaDL's <c>scipy.stats.bootstrap(..., method="percentile", paired=True)</c>:
/// resample the samples with replacement, recompute every metric, take the 2.5th and 97.5th percentiles and the
/// standard deviation (ddof 1). Seeded, so intervals are reproducible.
/// </summary>
public static class ConfidenceIntervals
{
    public const int DefaultResamples = 3000;

    public static Dictionary<string, MetricEstimate> Bootstrap(int sampleCount, Func<int[], Dictionary<string, double>> metrics, int resamples = DefaultResamples, int seed = 0)
    {
        var all = Enumerable.Range(0, sampleCount).ToArray();
        var values = metrics(all);
        if (sampleCount < 2)
        {
            return values.ToDictionary(v => v.Key, v => new MetricEstimate(v.Value, double.NaN, double.NaN, double.NaN));
        }
        var random = new Random(seed);
        var draws = values.Keys.ToDictionary(k => k, _ => new List<double>(resamples));
        var indices = new int[sampleCount];
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < sampleCount; i++)
            {
                indices[i] = random.Next(sampleCount);
            }
            foreach (var (name, value) in metrics(indices))
            {
                if (double.IsFinite(value))
                {
                    draws[name].Add(value);
                }
            }
        }
        return values.ToDictionary(v => v.Key, v =>
        {
            var sample = draws[v.Key];
            if (sample.Count < 2)
            {
                return new MetricEstimate(v.Value, double.NaN, double.NaN, double.NaN);
            }
            sample.Sort();
            var mean = sample.Average();
            var sd = Math.Sqrt(sample.Sum(x => (x - mean) * (x - mean)) / (sample.Count - 1));
            return new MetricEstimate(v.Value, Percentile(sample, 0.025), Percentile(sample, 0.975), sd);
        });
    }

    /// <summary>Linear interpolation between order statistics (numpy's default percentile).</summary>
    private static double Percentile(List<double> sorted, double fraction)
    {
        var position = fraction * (sorted.Count - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }
}
