using System.Globalization;
using ClinicaDL.Core.Selection;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Training;

/// <summary>
/// A set of sessions with their CAPS images and labels: what a split's train or validation side, or a
/// prediction group, is made of. Every TSV row must have its image, else the missing ones are listed.
/// </summary>
public sealed class DataGroup
{
    private DataGroup(string source, IReadOnlyList<LabeledImage> images, DropReport drops)
    {
        Source = source;
        Images = images;
        Drops = drops;
    }

    public string Source { get; }
    public IReadOnlyList<LabeledImage> Images { get; }

    /// <summary>The TSV's sessions left out, and why (diagnoses the experiment does not use).</summary>
    public DropReport Drops { get; }

    /// <summary>The images of a TSV's sessions; the label column may be absent when labels are not needed.</summary>
    public static DataGroup FromTsv(TsvTable table, CapsImageIndex caps, TrainingConfig config, bool needLabels)
    {
        var source = table.Path ?? "the data";
        table.Require("participant_id", "session_id");
        var label = config.ResolvedLabel;
        if (needLabels)
        {
            table.Require(label);
        }
        var rows = table.Rows.ToList();
        var steps = new List<DropStep>();
        if (table.HasColumn("diagnosis") && config.Task == TrainingTask.Classification)
        {
            // As ClinicaDL: only the diagnoses of the experiment are used.
            var kept = rows.Where(r => r[table.IndexOf("diagnosis")] is null || config.Diagnoses.Contains(r[table.IndexOf("diagnosis")]!)).ToList();
            if (kept.Count < rows.Count)
            {
                steps.Add(new DropStep($"diagnosis not in {string.Join(", ", config.Diagnoses)}", rows.Count - kept.Count));
            }
            rows = kept;
        }
        var drops = new DropReport("sessions", table.Rows.Count, steps);
        int participant = table.IndexOf("participant_id"), session = table.IndexOf("session_id"), labelColumn = table.IndexOf(label);
        var missing = rows.Where(r => !caps.TryGetPath(r[participant]!, r[session]!, out _)).Select(r => $"{r[participant]} {r[session]}").ToList();
        if (missing.Count > 0)
        {
            throw new InvalidTableException(
                $"{missing.Count} session(s) of '{source}' have no {caps.Preprocessing} image in '{caps.Directory}' ({caps.SearchPattern}): {string.Join(", ", missing.Take(20))}{(missing.Count > 20 ? ", ..." : "")}.",
                table.Path);
        }
        var samples = rows.Select(r =>
        {
            caps.TryGetPath(r[participant]!, r[session]!, out var path);
            return new LabeledImage(r[participant]!, r[session]!, labelColumn < 0 ? null : r[labelColumn], path);
        }).ToList();
        if (needLabels)
        {
            var unlabeled = samples.Where(s => s.Label is null).Select(s => $"{s.ParticipantId} {s.SessionId}").ToList();
            if (unlabeled.Count > 0)
            {
                throw new InvalidTableException($"{unlabeled.Count} session(s) of '{source}' have no '{label}': {string.Join(", ", unlabeled.Take(20))}.", table.Path);
            }
            if (config.Task == TrainingTask.Regression)
            {
                var bad = samples.Where(s => !double.TryParse(s.Label, NumberStyles.Float, CultureInfo.InvariantCulture, out _)).Select(s => $"{s.ParticipantId} {s.SessionId} ('{s.Label}')").ToList();
                if (bad.Count > 0)
                {
                    throw new InvalidTableException($"Regression needs numbers in '{label}'; '{source}' has {string.Join(", ", bad.Take(20))}.", table.Path);
                }
            }
        }
        if (samples.Count == 0)
        {
            var present = table.HasColumn("diagnosis")
                ? table.Rows.GroupBy(r => r[table.IndexOf("diagnosis")] ?? "n/a", StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} ({g.Count()} sessions)").ToList()
                : [];
            throw new InvalidTableException(drops.IsEmpty
                ? $"'{source}' has no session to use: {drops.Summary}; its diagnoses are {string.Join(", ", present)}."
                : $"'{source}' has no session.", table.Path);
        }
        return new DataGroup(source, samples, drops);
    }
}
