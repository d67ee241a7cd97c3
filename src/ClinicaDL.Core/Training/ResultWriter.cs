using System.Globalization;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Training;

/// <summary>
/// Writes a group's results in a <c>best-&lt;metric&gt;/&lt;group&gt;/</c> folder with ClinicaDL's names and columns:
/// description.log, <c>&lt;group&gt;_image_level_prediction.tsv</c> and the transposed
/// <c>&lt;group&gt;_image_level_metrics.tsv</c> (Metrics / Values / Lower bound CI / Upper bound CI / SE rows).
/// </summary>
public static class ResultWriter
{
    public static Dictionary<string, MetricEstimate>? Write(string folder, string group, Evaluation evaluation, int resamples, int seed, string capsDirectory)
    {
        Directory.CreateDirectory(folder);
        var invariant = CultureInfo.InvariantCulture;
        var description = $"Prediction {group} group - {DateTime.Now.ToString("dd MMM yyyy, HH:mm:ss", invariant)}\n" +
            $"Data loaded from CAPS directories: {{'single': '{capsDirectory}'}}\n" +
            $"Number of participants: {evaluation.Samples.Select(s => s.ParticipantId).Distinct().Count()}\n" +
            $"Number of sessions: {evaluation.Samples.Count}\n";
        AtomicFile.WriteAllText(Path.Combine(folder, "description.log"), description);
        Predictions(evaluation).Write(Path.Combine(folder, $"{group}_image_level_prediction.tsv"));
        if (!evaluation.HasLabels)
        {
            return null;
        }
        var estimates = ConfidenceIntervals.Bootstrap(evaluation.Samples.Count, evaluation.MetricsOf, resamples, seed);
        var names = estimates.Keys.Append("loss").ToList();
        string F(double value) => double.IsNaN(value) ? "N/A" : value.ToString("R", invariant);
        string?[] Row(string label, IEnumerable<string> cells) => [label, .. cells];
        var rows = new List<string?[]>
        {
            Row("Values", names.Select(n => n == "loss" ? F(evaluation.Loss) : F(estimates[n].Value))),
            Row("Lower bound CI", names.Select(n => n == "loss" ? "N/A" : F(estimates[n].Lower))),
            Row("Upper bound CI", names.Select(n => n == "loss" ? "N/A" : F(estimates[n].Upper))),
            Row("SE", names.Select(n => n == "loss" ? "N/A" : F(estimates[n].StandardError))),
        };
        new TsvTable(["Metrics", .. names], rows).Write(Path.Combine(folder, $"{group}_image_level_metrics.tsv"));
        estimates["loss"] = new MetricEstimate(evaluation.Loss, double.NaN, double.NaN, double.NaN);
        return estimates;
    }

    /// <summary>participant_id, session_id, image_id, true_label, predicted_label, then proba0... for classification.</summary>
    public static TsvTable Predictions(Evaluation evaluation)
    {
        var invariant = CultureInfo.InvariantCulture;
        var columns = new List<string> { "participant_id", "session_id", "image_id", "true_label", "predicted_label" };
        if (evaluation.Classification)
        {
            columns.AddRange(Enumerable.Range(0, evaluation.Classes).Select(c => $"proba{c}"));
        }
        var rows = evaluation.Samples.Select((sample, i) =>
        {
            var row = new List<string?> { sample.ParticipantId, sample.SessionId, "0" };
            if (evaluation.Classification)
            {
                row.Add((evaluation.TrueCodes?[i] ?? -1).ToString(invariant));
                row.Add(evaluation.PredictedCodes[i].ToString(invariant));
                row.AddRange(evaluation.Probabilities[i].Select(p => p.ToString("R", invariant)));
            }
            else
            {
                row.Add(evaluation.TrueValues is null ? "-1" : evaluation.TrueValues[i].ToString("R", invariant));
                row.Add(evaluation.PredictedValues[i].ToString("R", invariant));
            }
            return row.ToArray();
        });
        return new TsvTable(columns, rows);
    }
}
