using System.Globalization;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Training;

/// <summary>
/// ClinicaDL's image-level results from part-level ones (reference §8.3). Classification: soft voting, each part
/// index weighted by its accuracy on the validation group of the same split and selection metric (never on the
/// group being voted), weight 0 below selection_threshold, weights summing to 1; an image's probabilities are the
/// weighted mean of its parts' and its prediction their argmax. Regression: the plain mean of the parts'
/// predictions.
/// </summary>
public static class PartVoting
{
    /// <summary>Weight per part id from the validation group's (part id, prediction right?) pairs.</summary>
    public static Dictionary<int, double> Weights(IEnumerable<(int PartId, bool Correct)> validation, double selectionThreshold, out string? note)
    {
        var accuracy = validation.GroupBy(v => v.PartId).ToDictionary(g => g.Key, g => g.Average(v => v.Correct ? 1.0 : 0.0));
        var kept = accuracy.ToDictionary(a => a.Key, a => a.Value < selectionThreshold ? 0.0 : a.Value);
        var total = kept.Values.Sum();
        note = null;
        if (total == 0)
        {
            // ClinicaDL divides by zero here and writes NaN probabilities; equal weights keep a usable, stated result.
            note = string.Create(CultureInfo.InvariantCulture,
                $"No part reached the selection threshold {selectionThreshold} of validation accuracy (best {accuracy.Values.DefaultIfEmpty(0).Max():F3}); every part was given the same weight.");
            return accuracy.ToDictionary(a => a.Key, _ => 1.0 / accuracy.Count);
        }
        return kept.ToDictionary(k => k.Key, k => k.Value / total);
    }

    /// <summary>The (part id, right?) pairs of a part-level classification evaluation.</summary>
    public static IEnumerable<(int PartId, bool Correct)> Outcomes(Evaluation parts, PartSampler sampler) =>
        parts.Samples.Select((s, i) => (sampler.PartId(s.Part), parts.TrueCodes![i] == parts.PredictedCodes[i]));

    /// <summary>The (part id, right?) pairs of a written &lt;group&gt;_&lt;mode&gt;_level_prediction.tsv.</summary>
    public static IEnumerable<(int PartId, bool Correct)> Outcomes(string predictionTsv, string modeName)
    {
        var table = TsvTable.Read(predictionTsv);
        table.Require($"{modeName}_id", "true_label", "predicted_label");
        int id = table.IndexOf($"{modeName}_id"), truth = table.IndexOf("true_label"), predicted = table.IndexOf("predicted_label");
        return table.Rows.Select((row, r) => int.TryParse(row[id], NumberStyles.Integer, CultureInfo.InvariantCulture, out var part)
            ? (part, row[truth] == row[predicted])
            : throw new InvalidTableException($"'{predictionTsv}' row {r + 2}: {modeName}_id '{row[id]}' is not a whole number.", predictionTsv));
    }

    /// <summary>Image-level results of a part-level evaluation; classification needs the weights of <see cref="Weights"/>.</summary>
    public static Evaluation Vote(Evaluation parts, PartSampler sampler, IReadOnlyDictionary<int, double>? weights)
    {
        var images = parts.Samples.Select((s, i) => (Key: (s.ParticipantId, s.SessionId), Index: i)).GroupBy(s => s.Key).Select(g => g.Select(s => s.Index).ToList()).ToList();
        var samples = images.Select(rows => parts.Samples[rows[0]] with { Part = 0 }).ToList();
        if (!parts.Classification)
        {
            return new Evaluation
            {
                Samples = samples, Classification = false, Classes = parts.Classes,
                TrueValues = parts.TrueValues is null ? null : images.Select(rows => parts.TrueValues[rows[0]]).ToArray(),
                PredictedCodes = new int[samples.Count], Probabilities = samples.Select(_ => Array.Empty<double>()).ToArray(),
                PredictedValues = images.Select(rows => rows.Average(r => parts.PredictedValues[r])).ToArray(),
            };
        }
        if (weights is null)
        {
            throw new ArgumentException("Soft voting needs the part weights from the validation group.");
        }
        var probabilities = images.Select(rows =>
        {
            var mean = new double[parts.Classes];
            foreach (var r in rows)
            {
                var weight = weights.TryGetValue(sampler.PartId(parts.Samples[r].Part), out var w) ? w : 0;
                for (var c = 0; c < parts.Classes; c++)
                {
                    mean[c] += weight * parts.Probabilities[r][c];
                }
            }
            return mean;
        }).ToArray();
        return new Evaluation
        {
            Samples = samples, Classification = true, Classes = parts.Classes,
            TrueCodes = parts.TrueCodes is null ? null : images.Select(rows => parts.TrueCodes[rows[0]]).ToArray(),
            PredictedCodes = probabilities.Select(p => Array.IndexOf(p, p.Max())).ToArray(),
            Probabilities = probabilities, PredictedValues = new double[samples.Count],
        };
    }
}
