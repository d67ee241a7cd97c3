using ClinicaDL.Core.Reports;

namespace ClinicaDL.Core.Tests.Reports;

public sealed class ChartLayoutTests
{
    [Theory]
    [InlineData("BA")]
    [InlineData("accuracy")]
    [InlineData("sensitivity")]
    [InlineData("specificity")]
    [InlineData("AUC")]
    [InlineData("PPV")]
    [InlineData("NPV")]
    [InlineData("F1_score")]
    [InlineData("SSIM")]
    public void Bounded_metrics_span_zero_to_one_with_a_small_margin_whatever_the_values(string metric)
    {
        // A flat curve at chance level: ScottPlot's own autoscale gave the balanced accuracy -0.6 to 1.6 here.
        Assert.Equal((-0.05, 1.05), ChartLayout.MetricLimits(metric, [0.5, 0.5, 0.5]));
        Assert.Equal((-0.05, 1.05), ChartLayout.MetricLimits(metric, [0.62, 0.71, double.NaN]));
    }

    [Fact]
    public void Correlation_like_metrics_span_minus_one_to_one()
    {
        Assert.Equal((-1.1, 1.1), ChartLayout.MetricLimits("MCC", [0.1, 0.3]));
        Assert.Equal((-1.1, 1.1), ChartLayout.MetricLimits("MK", [0]));
    }

    [Fact]
    public void A_value_outside_the_natural_range_widens_the_axis_instead_of_being_cut()
    {
        var (low, high) = ChartLayout.MetricLimits("SSIM", [-0.2, 0.9]);
        Assert.Equal(-0.2 - 0.05 * 1.2, low, 12);
        Assert.Equal(1 + 0.05 * 1.2, high, 12);
    }

    [Fact]
    public void Unbounded_metrics_span_their_values_with_a_margin()
    {
        var (low, high) = ChartLayout.MetricLimits("loss", [0.7, 0.2, 0.45]);
        Assert.Equal(0.175, low, 12);
        Assert.Equal(0.725, high, 12);
        // A flat loss sits mid-axis instead of on the frame.
        (low, high) = ChartLayout.MetricLimits("loss", [0.69, 0.69]);
        Assert.True(low < 0.69 && high > 0.69);
        Assert.Equal(0.69, (low + high) / 2, 12);
    }

    [Fact]
    public void Values_without_a_natural_range_span_their_finite_values_with_a_margin()
    {
        Assert.Equal((58.0, 102.0), ChartLayout.DataLimits([60, 100, double.NaN, 70]));
    }

    [Theory]
    [InlineData(0, 2, new double[] { 0, 1, 2 })]
    [InlineData(0, 11, new double[] { 0, 2, 4, 6, 8, 10 })]
    [InlineData(1, 100, new double[] { 10, 20, 30, 40, 50, 60, 70, 80, 90, 100 })]
    [InlineData(0, 9, new double[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 })]
    [InlineData(3, 3, new double[] { 3 })]
    public void Epoch_ticks_are_whole_epochs_and_at_most_ten(int first, int last, double[] expected)
    {
        var epochs = Enumerable.Range(first, last - first + 1).Select(e => (double)e).ToArray();
        Assert.Equal(expected, ChartLayout.EpochTicks(epochs));
    }

    [Fact]
    public void Epoch_limits_leave_half_an_epoch_beyond_the_first_and_last()
    {
        Assert.Equal((-0.5, 2.5), ChartLayout.EpochLimits([0, 1, 2]));
        var (low, high) = ChartLayout.EpochLimits(Enumerable.Range(0, 100).Select(e => (double)e).ToArray());
        Assert.Equal(-4.95, low, 12);
        Assert.Equal(103.95, high, 12);
    }
}
