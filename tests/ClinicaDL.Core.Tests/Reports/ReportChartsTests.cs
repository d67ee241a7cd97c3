using ClinicaDL.Core.Reports;
using ScottPlot;
using ScottPlot.Panels;
using ScottPlot.TickGenerators;

namespace ClinicaDL.Core.Tests.Reports;

public sealed class ReportChartsTests
{
    private static readonly double[] Epochs = [0, 1, 2];

    /// <summary>The plot after a render at the report's size: limits and ticks as drawn (ticks exist only once rendered).</summary>
    private static Plot Rendered(Plot plot)
    {
        plot.RenderInMemory(ReportCharts.Width, ReportCharts.Height);
        return plot;
    }

    [Fact]
    public void Learning_curve_of_a_bounded_metric_keeps_zero_to_one_and_whole_epoch_ticks()
    {
        var plot = Rendered(ReportCharts.LearningCurvePlot("Split 0: BA", "BA", Epochs, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], bestEpoch: 0));

        var limits = plot.Axes.GetLimits();
        Assert.Equal((-0.05, 1.05), (limits.Bottom, limits.Top));
        Assert.Equal((-0.5, 2.5), (limits.Left, limits.Right));
        var ticks = Assert.IsType<NumericManual>(plot.Axes.Bottom.TickGenerator).Ticks.Where(t => t.IsMajor).ToArray();
        Assert.Equal([0.0, 1, 2], ticks.Select(t => t.Position));
        Assert.Equal(["0", "1", "2"], ticks.Select(t => t.Label));
    }

    [Fact]
    public void Learning_curve_rings_the_best_epoch_on_the_validation_curve()
    {
        var plot = ReportCharts.LearningCurvePlot("Split 0: loss", "loss", Epochs, [0.9, 0.6, 0.4], [0.8, 0.5, 0.7], bestEpoch: 1);

        var best = Assert.Single(plot.GetPlottables().OfType<ScottPlot.Plottables.Marker>());
        Assert.Equal(new Coordinates(1, 0.5), best.Location);
        Assert.Equal("best epoch 1: 0.5", best.LegendText);
    }

    [Fact]
    public void Every_chart_with_a_legend_puts_it_outside_the_data_area()
    {
        Plot[] plots =
        [
            ReportCharts.LearningCurvePlot("t", "loss", Epochs, [0.9, 0.6, 0.4], [0.8, 0.5, 0.7], 1),
            ReportCharts.RocPlot("t", [0, 0, 1], [0, 1, 1], 1),
            ReportCharts.TrueVersusPredictedPlot("t", [60, 70, 80], [62, 69, 85]),
        ];
        foreach (var plot in plots)
        {
            // The default legend is drawn over the data (it hid the best loss point); the edge panel is beside it.
            Assert.False(plot.Legend.IsVisible);
            var panel = Assert.Single(plot.Axes.GetPanels().OfType<LegendPanel>());
            Assert.Equal(Edge.Bottom, panel.Edge);
        }
    }

    [Fact]
    public void A_perfect_roc_curve_lies_inside_the_frame_and_is_drawn_last()
    {
        double[] fpr = [0, 0, 1];
        double[] tpr = [0, 1, 1];
        var plot = Rendered(ReportCharts.RocPlot("perfect", fpr, tpr, 1));

        var limits = plot.Axes.GetLimits();
        Assert.Equal((-0.05, 1.05, -0.05, 1.05), (limits.Left, limits.Right, limits.Bottom, limits.Top));
        var curve = Assert.IsType<ScottPlot.Plottables.Scatter>(plot.GetPlottables().Last());
        Assert.True(curve.LineWidth >= 2);
        Assert.All(fpr.Zip(tpr), p => Assert.True(p.First > limits.Left && p.First < limits.Right && p.Second > limits.Bottom && p.Second < limits.Top));
    }

    [Fact]
    public void True_against_predicted_shares_one_range_on_both_axes_with_a_margin()
    {
        var plot = Rendered(ReportCharts.TrueVersusPredictedPlot("t", [60, 70, 80], [62, 69, 100]));

        var limits = plot.Axes.GetLimits();
        Assert.Equal((58.0, 102.0), (limits.Left, limits.Right));
        Assert.Equal((limits.Left, limits.Right), (limits.Bottom, limits.Top));
    }
}
