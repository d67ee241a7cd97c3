namespace ClinicaDL.Core.Reports;

/// <summary>
/// The layout decisions of the report's charts, computed from the data alone so that they are testable without
/// pixels: metric axes on their natural range, epoch axes with integer ticks, and a margin around every range so a
/// line on a bound (a perfect ROC curve, a balanced accuracy of 1) is drawn inside the frame, not on it.
/// </summary>
public static class ChartLayout
{
    /// <summary>The fraction of a range added on each side.</summary>
    public const double Margin = 0.05;

    /// <summary>At most this many epoch ticks, so their labels never crowd.</summary>
    public const int MaxEpochTicks = 10;

    /// <summary>
    /// The values a metric can take, for the metrics that are bounded: proportions and areas on [0, 1], the
    /// correlation-like MCC and markedness on [-1, 1]. SSIM can in theory go below 0, but reconstructions worth
    /// reading lie on [0, 1]; a value outside still widens the axis (<see cref="MetricLimits"/>).
    /// </summary>
    public static (double Low, double High)? NaturalRange(string metric) => metric switch
    {
        "BA" or "accuracy" or "sensitivity" or "specificity" or "PPV" or "NPV" or "F1_score" or "AUC" or "SSIM" => (0, 1),
        "MCC" or "MK" => (-1, 1),
        _ => null,
    };

    /// <summary>
    /// Axis limits for a metric: its natural range when it has one, widened to any value outside it (never hiding
    /// data), else the range of the values; then <see cref="Margin"/> on each side. NaN values (a metric undefined
    /// at some epoch) are ignored.
    /// </summary>
    public static (double Low, double High) MetricLimits(string metric, IEnumerable<double> values) => Limits(NaturalRange(metric), values);

    /// <summary>Axis limits for values with no natural range (a regression's targets): their range with <see cref="Margin"/> on each side.</summary>
    public static (double Low, double High) DataLimits(IEnumerable<double> values) => Limits(null, values);

    private static (double Low, double High) Limits((double Low, double High)? natural, IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        var (low, high) = natural ?? (finite.Length > 0 ? (finite.Min(), finite.Max()) : (0, 1));
        if (finite.Length > 0)
        {
            (low, high) = (Math.Min(low, finite.Min()), Math.Max(high, finite.Max()));
        }
        return WithMargin(low, high);
    }

    /// <summary>The range with <see cref="Margin"/> on each side; a single value gets a span of a tenth of its size (1 at 0), so a flat curve sits mid-axis.</summary>
    public static (double Low, double High) WithMargin(double low, double high)
    {
        var span = high - low;
        if (span <= 0)
        {
            var half = low == 0 ? 0.5 : Math.Abs(low) * 0.05;
            return (low - half, high + half);
        }
        return (low - Margin * span, high + Margin * span);
    }

    /// <summary>Epoch axis limits: half an epoch (or <see cref="Margin"/> of a long run) beyond the first and last epochs.</summary>
    public static (double Low, double High) EpochLimits(IReadOnlyCollection<double> epochs)
    {
        if (epochs.Count == 0)
        {
            return (-0.5, 0.5);
        }
        var (first, last) = (epochs.Min(), epochs.Max());
        var margin = Math.Max(0.5, Margin * (last - first));
        return (first - margin, last + margin);
    }

    /// <summary>
    /// Integer epoch ticks: every multiple of the smallest step of 1, 2 or 5 times a power of ten that gives at most
    /// <see cref="MaxEpochTicks"/> ticks between the first and last epochs.
    /// </summary>
    public static double[] EpochTicks(IReadOnlyCollection<double> epochs)
    {
        if (epochs.Count == 0)
        {
            return [];
        }
        var first = (long)Math.Ceiling(epochs.Min());
        var last = (long)Math.Floor(epochs.Max());
        var step = Steps().First(s => Count(s) <= MaxEpochTicks);
        var start = (long)Math.Ceiling((double)first / step) * step;
        var ticks = new List<double>();
        for (var tick = start; tick <= last; tick += step)
        {
            ticks.Add(tick);
        }
        return ticks.ToArray();

        long Count(long s) => (long)Math.Floor((double)last / s) - (long)Math.Ceiling((double)first / s) + 1;

        static IEnumerable<long> Steps()
        {
            for (var power = 1L; ; power *= 10)
            {
                yield return power;
                yield return 2 * power;
                yield return 5 * power;
            }
        }
    }
}
