using System.Globalization;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Maps;

/// <summary>
/// Writes a group's results in a <c>best-&lt;metric&gt;/&lt;group&gt;/</c> folder with ClinicaDL's names and columns:
/// description.log, <c>&lt;group&gt;_&lt;level&gt;_level_prediction.tsv</c> (level image, patch, slice or roi, with a
/// <c>&lt;level&gt;_id</c> column) and the transposed <c>&lt;group&gt;_&lt;level&gt;_level_metrics.tsv</c> (Metrics /
/// Values / Lower bound CI / Upper bound CI / SE rows).
/// </summary>
public static class ResultWriter
{
    /// <summary>
    /// One level's files: <paramref name="level"/> is image or the part mode (patch, slice, roi),
    /// <paramref name="idColumn"/> the <c>&lt;mode&gt;_id</c> column, <paramref name="partId"/> the id written for a
    /// sample (0 for whole images and voted results), <paramref name="note"/> a line added to description.log.
    /// </summary>
    public static Dictionary<string, MetricEstimate>? Write(string folder, string group, Evaluation evaluation, int resamples, int seed, string capsDirectory, string device,
        string level = "image", string idColumn = "image_id", Func<LabeledImage, int>? partId = null, string? note = null)
    {
        Directory.CreateDirectory(folder);
        var invariant = CultureInfo.InvariantCulture;
        var description = $"Prediction {group} group - {DateTime.Now.ToString("dd MMM yyyy, HH:mm:ss", invariant)}\n" +
            $"Data loaded from CAPS directories: {{'single': '{capsDirectory}'}}\n" +
            $"Number of participants: {evaluation.Samples.Select(s => s.ParticipantId).Distinct().Count()}\n" +
            $"Number of sessions: {evaluation.Samples.Select(s => (s.ParticipantId, s.SessionId)).Distinct().Count()}\n" +
            // The device this evaluation ran on, which may differ from the one the MAPS was trained on.
            $"Device: {device}\n" +
            (note is null ? "" : note + "\n");
        AtomicFile.WriteAllText(Path.Combine(folder, "description.log"), description);
        Predictions(evaluation, idColumn, partId ?? (_ => 0)).Write(Path.Combine(folder, $"{group}_{level}_level_prediction.tsv"));
        if (!evaluation.HasLabels)
        {
            return null;
        }
        var estimates = ConfidenceIntervals.Bootstrap(evaluation.Samples.Count, evaluation.MetricsOf, resamples, seed);
        // The losses, after the metrics and without intervals, as ClinicaDL appends its loss_dict: loss, then a VAE's
        // recon_loss and kl_loss. Voted image-level results have no loss (ClinicaDL writes none there either).
        var losses = double.IsNaN(evaluation.Loss) ? new Dictionary<string, double>()
            : new Dictionary<string, double> { ["loss"] = evaluation.Loss }.Concat(evaluation.LossTerms).ToDictionary();
        var names = estimates.Keys.Concat(losses.Keys).ToList();
        string F(double value) => double.IsNaN(value) ? "N/A" : value.ToString("R", invariant);
        string?[] Row(string label, IEnumerable<string> cells) => [label, .. cells];
        var rows = new List<string?[]>
        {
            Row("Values", names.Select(n => losses.TryGetValue(n, out var loss) ? F(loss) : F(estimates[n].Value))),
            Row("Lower bound CI", names.Select(n => losses.ContainsKey(n) ? "N/A" : F(estimates[n].Lower))),
            Row("Upper bound CI", names.Select(n => losses.ContainsKey(n) ? "N/A" : F(estimates[n].Upper))),
            Row("SE", names.Select(n => losses.ContainsKey(n) ? "N/A" : F(estimates[n].StandardError))),
        };
        new TsvTable(["Metrics", .. names], rows).Write(Path.Combine(folder, $"{group}_{level}_level_metrics.tsv"));
        foreach (var (name, value) in losses)
        {
            estimates[name] = new MetricEstimate(value, double.NaN, double.NaN, double.NaN);
        }
        return estimates;
    }

    /// <summary>participant_id, session_id, &lt;mode&gt;_id, true_label, predicted_label, then proba0... for classification.</summary>
    public static TsvTable Predictions(Evaluation evaluation, string idColumn, Func<LabeledImage, int> partId)
    {
        var invariant = CultureInfo.InvariantCulture;
        if (evaluation.Reconstruction)
        {
            return new TsvTable(["participant_id", "session_id", idColumn, .. ReconstructionMetrics.Names], evaluation.Samples.Select((sample, i) =>
                new string?[] { sample.ParticipantId, sample.SessionId, partId(sample).ToString(invariant) }
                    .Concat(evaluation.ReconstructionValues![i].Select(v => v.ToString("R", invariant))).ToArray()));
        }
        var columns = new List<string> { "participant_id", "session_id", idColumn, "true_label", "predicted_label" };
        if (evaluation.Classification)
        {
            columns.AddRange(Enumerable.Range(0, evaluation.Classes).Select(c => $"proba{c}"));
        }
        var rows = evaluation.Samples.Select((sample, i) =>
        {
            var row = new List<string?> { sample.ParticipantId, sample.SessionId, partId(sample).ToString(invariant) };
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

    /// <summary>
    /// A group's results at the part level, then at the image level by <see cref="PartVoting"/> with the given
    /// validation outcomes (reconstruction: the part level only, as ClinicaDL); whole-image results as they are.
    /// Returns the image-level results and their estimates (with the sample-level loss; null without labels).
    /// </summary>
    public static (Evaluation ImageLevel, Dictionary<string, MetricEstimate>? Estimates) WriteGroup(string folder, string group, Evaluation evaluation, PartSampler? parts,
        Func<IEnumerable<(int PartId, bool Correct)>>? validationOutcomes, double selectionThreshold, int resamples, int seed, string capsDirectory, string device)
    {
        if (parts is null)
        {
            return (evaluation, Write(folder, group, evaluation, resamples, seed, capsDirectory, device));
        }
        var mode = parts.ModeName;
        var partLevel = Write(folder, group, evaluation, resamples, seed, capsDirectory, device, mode, $"{mode}_id", s => parts.PartId(s.Part));
        if (evaluation.Reconstruction)
        {
            // As ClinicaDL: a reconstruction has no image-level result made from its parts.
            return (evaluation, partLevel);
        }
        string? note = null;
        var weights = evaluation.Classification ? PartVoting.Weights(validationOutcomes!(), selectionThreshold, out note) : null;
        var voted = PartVoting.Vote(evaluation, parts, weights);
        var describe = weights is null
            ? "Image level: mean of the parts' predictions."
            : $"Image level: soft voting, part weights from validation accuracy ({string.Join(", ", weights.OrderBy(w => w.Key).Select(w => $"{mode}-{w.Key}: {w.Value.ToString("0.###", CultureInfo.InvariantCulture)}"))}), selection_threshold {selectionThreshold.ToString(CultureInfo.InvariantCulture)}." + (note is null ? "" : " " + note);
        var imageLevel = Write(folder, group, voted, resamples, seed, capsDirectory, device, "image", $"{mode}_id", _ => 0, describe);
        if (imageLevel is not null && partLevel is not null)
        {
            imageLevel["loss"] = partLevel["loss"];
        }
        return (voted, imageLevel);
    }
}
