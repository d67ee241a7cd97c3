using System.Globalization;
using ScottPlot;

namespace ClinicaDL.Core.Reports;

/// <summary>The report's charts (ScottPlot): learning curves, confusion matrices, ROC curves, true against predicted values.</summary>
public static class ReportCharts
{
    public const int Width = 640;
    public const int Height = 420;

    /// <summary>The edge of the figure that holds every chart's legend: outside the data area, so it hides no point.</summary>
    public const Edge LegendEdge = Edge.Bottom;

    /// <summary>A metric per epoch for the training and validation sets, the best epoch marked.</summary>
    public static void LearningCurve(string path, string title, string metric, double[] epochs, double[] train, double[] validation, int? bestEpoch) =>
        Save(LearningCurvePlot(title, metric, epochs, train, validation, bestEpoch), path);

    internal static Plot LearningCurvePlot(string title, string metric, double[] epochs, double[] train, double[] validation, int? bestEpoch)
    {
        var plot = new Plot();
        var trainLine = plot.Add.Scatter(epochs, train);
        trainLine.LegendText = "train";
        var validationLine = plot.Add.Scatter(epochs, validation);
        validationLine.LegendText = "validation";
        if (bestEpoch is { } best)
        {
            var line = plot.Add.VerticalLine(best);
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Gray;
            var index = Array.IndexOf(epochs, best);
            if (index >= 0)
            {
                // The best model's own point, ringed on the validation curve, so it is found without reading the axis.
                var point = plot.Add.Marker(best, validation[index], MarkerShape.OpenCircle, 14, validationLine.Color);
                point.LineWidth = 2;
                point.LegendText = string.Create(CultureInfo.InvariantCulture, $"best epoch {best}: {validation[index]:0.###}");
            }
        }
        var (xLow, xHigh) = ChartLayout.EpochLimits(epochs);
        var (yLow, yHigh) = ChartLayout.MetricLimits(metric, train.Concat(validation));
        plot.Axes.SetLimits(xLow, xHigh, yLow, yHigh);
        var ticks = ChartLayout.EpochTicks(epochs);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, ticks.Select(t => t.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(metric);
        plot.ShowLegend(LegendEdge);
        return plot;
    }

    /// <summary>The learning rate each epoch trained with (training.tsv's learning_rate), on a linear axis from zero so a reduction reads as a drop.</summary>
    public static void LearningRateCurve(string path, string title, double[] epochs, double[] rates) =>
        Save(LearningRateCurvePlot(title, epochs, rates), path);

    internal static Plot LearningRateCurvePlot(string title, double[] epochs, double[] rates)
    {
        var plot = new Plot();
        var line = plot.Add.Scatter(epochs, rates);
        line.LegendText = "learning rate";
        var (xLow, xHigh) = ChartLayout.EpochLimits(epochs);
        // From zero: a cosine schedule ends near it, and a plateau's tenfold reduction should look like one.
        var (_, yHigh) = ChartLayout.WithMargin(0, rates.Where(double.IsFinite).DefaultIfEmpty(1).Max());
        plot.Axes.SetLimits(xLow, xHigh, 0, yHigh);
        var ticks = ChartLayout.EpochTicks(epochs);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, ticks.Select(t => t.ToString(CultureInfo.InvariantCulture)).ToArray());
        // Rates are small numbers: 1E-04 reads where 0.0001 crowds the axis.
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = v => v == 0 ? "0" : v.ToString("0.##E+00", CultureInfo.InvariantCulture) };
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("learning rate");
        plot.ShowLegend(LegendEdge);
        return plot;
    }

    /// <summary>Counts of true (rows) against predicted (columns) labels, with the count written in each cell.</summary>
    public static void ConfusionMatrix(string path, string title, string[] labels, int[,] counts)
    {
        var n = labels.Length;
        var plot = new Plot();
        var maximum = Math.Max(1, counts.Cast<int>().Max());
        for (var row = 0; row < n; row++)
        {
            for (var column = 0; column < n; column++)
            {
                // True labels from the top down, cell centres on integer coordinates; white (0) to dark blue (most).
                var y = n - 1 - row;
                var shade = (double)counts[row, column] / maximum;
                var cell = plot.Add.Rectangle(column - 0.5, column + 0.5, y - 0.5, y + 0.5);
                cell.FillColor = new Color((byte)(255 - 247 * shade), (byte)(255 - 207 * shade), (byte)(255 - 148 * shade));
                cell.LineColor = Colors.Gray;
                var text = plot.Add.Text(counts[row, column].ToString(CultureInfo.InvariantCulture), column, y);
                text.LabelFontSize = 22;
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontColor = shade > 0.5 ? Colors.White : Colors.Black;
            }
        }
        var positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels.Reverse().ToArray());
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.Title(title);
        plot.XLabel("predicted");
        plot.YLabel("true");
        Save(plot, path);
    }

    /// <summary>The ROC curve of a binary classifier, with its area (when the metrics table has one) and the chance diagonal.</summary>
    public static void Roc(string path, string title, double[] falsePositiveRates, double[] truePositiveRates, double? auc) =>
        Save(RocPlot(title, falsePositiveRates, truePositiveRates, auc), path);

    internal static Plot RocPlot(string title, double[] falsePositiveRates, double[] truePositiveRates, double? auc)
    {
        var plot = new Plot();
        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.LinePattern = LinePattern.Dotted;
        chance.Color = Colors.Gray;
        chance.LegendText = "chance";
        // Added last and thick: a perfect classifier's curve runs along x = 0 and y = 1, which the margins keep
        // inside the frame and which must stay visible over the diagonal.
        var curve = plot.Add.Scatter(falsePositiveRates, truePositiveRates);
        curve.LineWidth = 2.5f;
        curve.LegendText = auc is { } area ? string.Create(CultureInfo.InvariantCulture, $"AUC {area:F3}") : "ROC";
        // Both rates are proportions.
        var (low, high) = ChartLayout.WithMargin(0, 1);
        plot.Axes.SetLimits(low, high, low, high);
        plot.Title(title);
        plot.XLabel("false positive rate (1 - specificity)");
        plot.YLabel("true positive rate (sensitivity)");
        plot.ShowLegend(LegendEdge);
        return plot;
    }

    /// <summary>Regression: predicted against true values, with the identity line, on one range for both axes.</summary>
    public static void TrueVersusPredicted(string path, string title, double[] truth, double[] predicted) =>
        Save(TrueVersusPredictedPlot(title, truth, predicted), path);

    internal static Plot TrueVersusPredictedPlot(string title, double[] truth, double[] predicted)
    {
        var plot = new Plot();
        var (low, high) = ChartLayout.DataLimits(truth.Concat(predicted));
        var identity = plot.Add.Line(low, low, high, high);
        identity.LinePattern = LinePattern.Dotted;
        identity.Color = Colors.Gray;
        identity.LegendText = "identity";
        var points = plot.Add.ScatterPoints(truth, predicted);
        points.LegendText = "sessions";
        // The same limits on both axes keep the identity line at 45 degrees, so over- and under-prediction read alike.
        plot.Axes.SetLimits(low, high, low, high);
        plot.Title(title);
        plot.XLabel("true");
        plot.YLabel("predicted");
        plot.ShowLegend(LegendEdge);
        return plot;
    }

    /// <summary>ROC points (false positive rate, true positive rate) from scores of the positive class, thresholds from high to low.</summary>
    public static (double[] FalsePositiveRates, double[] TruePositiveRates) RocPoints(bool[] positive, double[] scores)
    {
        var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToArray();
        var positives = Math.Max(1, positive.Count(p => p));
        var negatives = Math.Max(1, positive.Count(p => !p));
        var fpr = new List<double> { 0 };
        var tpr = new List<double> { 0 };
        var (tp, fp) = (0, 0);
        for (var i = 0; i < order.Length; i++)
        {
            if (positive[order[i]])
            {
                tp++;
            }
            else
            {
                fp++;
            }
            // Tied scores form one step of the curve.
            if (i == order.Length - 1 || scores[order[i + 1]] != scores[order[i]])
            {
                fpr.Add((double)fp / negatives);
                tpr.Add((double)tp / positives);
            }
        }
        return (fpr.ToArray(), tpr.ToArray());
    }

    private static void Save(Plot plot, string path)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp.png";
        try
        {
            plot.SavePng(temporary, Width, Height);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
