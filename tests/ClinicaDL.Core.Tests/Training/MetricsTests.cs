using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Tests.Training;

public sealed class MetricsTests
{
    [Fact]
    public void Binary_metrics_match_a_hand_computed_confusion_matrix()
    {
        // Positive class = code 0 (as ClinicaDL). TP 3, FN 1, FP 2, TN 4.
        int[] truth = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
        int[] predicted = [0, 0, 0, 1, 1, 1, 1, 1, 0, 0];

        var m = Metrics.Classification(truth, predicted, null, 2);

        Assert.Equal(0.75, m["sensitivity"], 12);
        Assert.Equal(4.0 / 6, m["specificity"], 12);
        Assert.Equal(0.6, m["PPV"], 12);
        Assert.Equal(0.8, m["NPV"], 12);
        Assert.Equal((0.75 + 4.0 / 6) / 2, m["BA"], 12);
        Assert.Equal(0.7, m["accuracy"], 12);
        Assert.Equal(2 * 0.6 * 0.75 / 1.35, m["F1_score"], 12);
        Assert.Equal(10 / Math.Sqrt(600), m["MCC"], 12);
        Assert.Equal(0.4, m["MK"], 12);
        Assert.Equal(2.25, m["LR_plus"], 12);
        Assert.Equal(0.375, m["LR_minus"], 12);
        Assert.True(double.IsNaN(m["AUC"]));
    }

    [Fact]
    public void Zero_denominators_give_zero_as_clinicadl()
    {
        var m = Metrics.Classification([1, 1, 1], [1, 1, 1], null, 2);
        Assert.Equal(0, m["sensitivity"]);
        Assert.Equal(1, m["specificity"]);
        Assert.Equal(0, m["PPV"]);
        Assert.Equal(0, m["LR_plus"]);
    }

    [Fact]
    public void Auc_counts_correctly_ordered_pairs_and_half_ties()
    {
        int[] truth = [0, 0, 0, 1, 1];
        double[][] probabilities = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.7, 0.3], [0.2, 0.8]];
        Assert.Equal(5.0 / 6, Metrics.Auc(truth, probabilities, 0), 12);
        double[][] tied = [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [0.5, 0.5]];
        Assert.Equal(0.5, Metrics.Auc(truth, tied, 0), 12);
    }

    [Fact]
    public void Multi_class_metrics_are_per_class_and_averaged()
    {
        int[] truth = [0, 1, 2, 0, 1, 2];
        int[] predicted = [0, 1, 1, 0, 2, 2];

        var m = Metrics.Classification(truth, predicted, null, 3);

        Assert.Equal(1.0, m["sensitivity-0"], 12);
        Assert.Equal(0.5, m["sensitivity-1"], 12);
        Assert.Equal(0.5, m["sensitivity-2"], 12);
        Assert.Equal(2.0 / 3, m["sensitivity"], 12);
        Assert.Equal(4.0 / 6, m["accuracy"], 12);
    }

    [Fact]
    public void Regression_metrics_match_hand_computed_values()
    {
        var m = Metrics.Regression([1, 2, 3, 4], [1, 2, 3, 5]);
        Assert.Equal(0.25, m["MAE"], 12);
        Assert.Equal(0.5, m["RMSE"], 12);
        Assert.Equal(0.8, m["R2_score"], 12);
    }

    [Fact]
    public void Bootstrap_intervals_are_seeded_and_surround_the_value()
    {
        var truth = Enumerable.Range(0, 100).Select(i => i % 2).ToArray();
        var predicted = truth.Select((t, i) => i % 10 < 7 ? t : 1 - t).ToArray();
        Dictionary<string, double> Accuracy(int[] indices) => new() { ["accuracy"] = indices.Average(i => truth[i] == predicted[i] ? 1.0 : 0.0) };

        var first = ConfidenceIntervals.Bootstrap(100, Accuracy, 3000, seed: 1)["accuracy"];
        var again = ConfidenceIntervals.Bootstrap(100, Accuracy, 3000, seed: 1)["accuracy"];

        Assert.Equal(first, again);
        Assert.Equal(0.7, first.Value, 12);
        Assert.InRange(first.Lower, 0.58, 0.64);
        Assert.InRange(first.Upper, 0.76, 0.82);
        Assert.InRange(first.StandardError, 0.04, 0.05);
    }
}
