namespace ClinicaDL.Core.Training;

/// <summary>
/// ClinicaDL's evaluation metrics, in its order and with its names, plus AUC. Binary classification takes label
/// code 0 as the positive class (AD for AD/CN), as ClinicaDL; with more classes each class-based metric is
/// given per class (<c>sensitivity-0</c>...) and as the mean over classes under its plain name.
/// </summary>
public static class Metrics
{
    public static readonly string[] ClassificationNames = ["BA", "accuracy", "F1_score", "sensitivity", "specificity", "PPV", "NPV", "MCC", "MK", "LR_plus", "LR_minus", "AUC"];
    public static readonly string[] RegressionNames = ["R2_score", "MAE", "RMSE"];

    /// <summary>Metrics where lower is better (the others, loss aside, are better higher).</summary>
    public static bool LowerIsBetter(string metric) => metric is "loss" or "MAE" or "RMSE" or "LR_minus";

    /// <summary>Classification metrics from true codes, predicted codes and, for AUC, class probabilities.</summary>
    public static Dictionary<string, double> Classification(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, IReadOnlyList<double[]>? probabilities, int classes)
    {
        var result = new Dictionary<string, double>();
        if (classes <= 2)
        {
            foreach (var (name, value) in OneVersusRest(truth, predicted, probabilities, 0))
            {
                result[name] = value;
            }
            return result;
        }
        var perClass = Enumerable.Range(0, classes).Select(c => OneVersusRest(truth, predicted, probabilities, c)).ToList();
        foreach (var name in ClassificationNames)
        {
            result[name] = name == "accuracy" ? perClass[0][name] : perClass.Average(p => p[name]);
        }
        for (var c = 0; c < classes; c++)
        {
            foreach (var name in ClassificationNames.Where(n => n != "accuracy"))
            {
                result[$"{name}-{c}"] = perClass[c][name];
            }
        }
        return result;
    }

    public static Dictionary<string, double> Regression(IReadOnlyList<double> truth, IReadOnlyList<double> predicted)
    {
        var mean = truth.Average();
        double residual = 0, total = 0, absolute = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            var error = truth[i] - predicted[i];
            residual += error * error;
            absolute += Math.Abs(error);
            total += (truth[i] - mean) * (truth[i] - mean);
        }
        return new Dictionary<string, double>
        {
            ["R2_score"] = total == 0 ? 0 : 1 - residual / total,
            ["MAE"] = absolute / truth.Count,
            ["RMSE"] = Math.Sqrt(residual / truth.Count),
        };
    }

    private static Dictionary<string, double> OneVersusRest(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, IReadOnlyList<double[]>? probabilities, int positive)
    {
        double tp = 0, tn = 0, fp = 0, fn = 0, correct = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            var isTrue = truth[i] == positive;
            var isPredicted = predicted[i] == positive;
            (tp, tn, fp, fn) = (isTrue, isPredicted) switch
            {
                (true, true) => (tp + 1, tn, fp, fn),
                (false, false) => (tp, tn + 1, fp, fn),
                (false, true) => (tp, tn, fp + 1, fn),
                _ => (tp, tn, fp, fn + 1),
            };
            correct += truth[i] == predicted[i] ? 1 : 0;
        }
        static double Ratio(double a, double b) => b == 0 ? 0 : a / b;
        var sensitivity = Ratio(tp, tp + fn);
        var specificity = Ratio(tn, tn + fp);
        var ppv = Ratio(tp, tp + fp);
        var npv = Ratio(tn, tn + fn);
        var mccDenominator = Math.Sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
        return new Dictionary<string, double>
        {
            ["BA"] = (sensitivity + specificity) / 2,
            ["accuracy"] = correct / truth.Count,
            ["F1_score"] = Ratio(2 * ppv * sensitivity, ppv + sensitivity),
            ["sensitivity"] = sensitivity,
            ["specificity"] = specificity,
            ["PPV"] = ppv,
            ["NPV"] = npv,
            ["MCC"] = Ratio(tp * tn - fp * fn, mccDenominator),
            ["MK"] = ppv + npv - 1,
            ["LR_plus"] = Ratio(sensitivity, 1 - specificity),
            ["LR_minus"] = Ratio(1 - sensitivity, specificity),
            ["AUC"] = probabilities is null ? double.NaN : Auc(truth, probabilities, positive),
        };
    }

    /// <summary>The area under the ROC curve of P(positive) for the positive class: the Mann-Whitney statistic, ties counted half.</summary>
    public static double Auc(IReadOnlyList<int> truth, IReadOnlyList<double[]> probabilities, int positive)
    {
        var scores = truth.Select((t, i) => (Positive: t == positive, Score: probabilities[i][positive])).OrderBy(s => s.Score).ToList();
        var positives = scores.Count(s => s.Positive);
        var negatives = scores.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }
        // Average ranks over ties, then U = sum of positive ranks - n+(n+ + 1)/2.
        double rankSum = 0;
        for (var i = 0; i < scores.Count;)
        {
            var j = i;
            while (j < scores.Count && scores[j].Score == scores[i].Score)
            {
                j++;
            }
            var averageRank = (i + 1 + j) / 2.0;
            rankSum += averageRank * scores.Skip(i).Take(j - i).Count(s => s.Positive);
            i = j;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
