using ClinicaDL.Core.Selection;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Datasets;

/// <summary>
/// Builds labels.tsv as ClinicaDL 1.6's <c>get-labels</c> does, from a BIDS dataset or a merged table: find the
/// age, sex and diagnosis columns, fill ADNI diagnosis changes, drop SMC, drop single-session participants on
/// request, infer or drop missing diagnoses, keep the chosen diagnoses, modality and restriction, sort.
/// Unlike ClinicaDL it keeps sessions not named <c>ses-M*</c> (it sorts them by name) so any BIDS dataset works,
/// and it refuses to return no session: the counts of what each step dropped go into the error instead of an
/// empty labels.tsv that a split would trip over later.
/// </summary>
public static class LabelBuilder
{
    private static readonly Dictionary<string, string?> AdniDiagnosisChange = new()
    {
        ["1"] = "CN", ["2"] = "MCI", ["3"] = "AD", ["4"] = "MCI", ["5"] = "AD", ["6"] = "AD", ["7"] = "CN", ["8"] = "MCI", ["9"] = "CN", ["-1"] = null,
    };

    public static LabelResult FromBids(BidsScan scan, LabelOptions options)
    {
        var sessionLess = scan.Sessions.Where(s => s.SessionId is null).ToList();
        if (sessionLess.Count > 0 && options.DefaultSession is null)
        {
            throw new InvalidTableException(
                $"'{scan.DatasetPath}' has no session level ({sessionLess.Count} participant(s) without ses- folders) but labels need a session_id; " +
                "name the single session explicitly (e.g. -DefaultSession ses-M000).", scan.DatasetPath);
        }
        var columns = new List<string> { "participant_id", "session_id" };
        foreach (var key in scan.Sessions.SelectMany(s => s.Attributes.Keys))
        {
            if (!columns.Contains(key))
            {
                columns.Add(key);
            }
        }
        var rows = scan.Sessions.Select(s => columns.Select((c, i) => i switch
        {
            0 => s.ParticipantId,
            1 => s.SessionId ?? options.DefaultSession,
            _ => s.Attributes.TryGetValue(c, out var value) ? Format(value) : null,
        }).ToArray());
        var merged = new TsvTable(columns, rows, Path.Combine(scan.DatasetPath, "participants.tsv"));
        var withModality = options.Modality is null ? null : scan.Sessions
            .Where(s => s.Images.Any(i => string.Equals(i.Suffix, options.Modality, StringComparison.OrdinalIgnoreCase)))
            .Select(s => (s.ParticipantId, s.SessionId ?? options.DefaultSession!)).ToHashSet();
        if (withModality is { Count: 0 } && scan.Sessions.Count > 0)
        {
            var suffixes = scan.Sessions.SelectMany(s => s.Modalities).GroupBy(m => m, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Key} ({g.Count()} sessions)").ToList();
            throw new NotFoundException(new MissingName(NotFoundKind.Modality, options.Modality!, $"The BIDS dataset '{scan.DatasetPath}'", suffixes));
        }
        return FromTable(merged, options, withModality);
    }

    /// <summary>From a merged table (participant_id, session_id and demographic columns).</summary>
    public static LabelResult FromTable(TsvTable merged, LabelOptions options, IReadOnlySet<(string, string)>? sessionsWithModality = null)
    {
        merged.Require("participant_id", "session_id");
        if (options.Modality is not null && sessionsWithModality is null)
        {
            throw new ArgumentException($"Keeping sessions with a {options.Modality} image needs the dataset's images: build labels from the BIDS folder.", nameof(options));
        }
        var steps = new List<DropStep>();
        var diagnosisColumn = options.DiagnosisColumn ?? ColumnFinder.Diagnosis(merged.Columns)
            ?? throw new InvalidTableException($"'{merged.Path}' has no diagnosis column (diagnosis, dx1 or a column containing 'diagnosis'); name one with -DiagnosisColumn.", merged.Path);
        merged.Require(diagnosisColumn);
        var ageColumn = ColumnFinder.Find(merged.Columns, "age");
        var sexColumn = ColumnFinder.Find(merged.Columns, "sex");
        merged.Require(options.VariablesOfInterest.ToArray());

        var rows = merged.Rows.Select(r => r.ToArray()).ToList();
        CheckUnique(merged, rows);
        var before = rows.Count;
        var diagnosis = merged.IndexOf(diagnosisColumn);
        FillAdniDiagnoses(merged, rows, diagnosis);
        var diagnosesPresent = rows.Where(r => r[diagnosis] is not null).GroupBy(r => r[diagnosis]!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} ({g.Count()} sessions)").ToList();
        var diagnosisSource = $"The diagnosis column '{diagnosisColumn}' of {(merged.Path is null ? "the sessions" : $"'{merged.Path}'")}";
        if (options.CheckDiagnoses && options.Diagnoses.FirstOrDefault(d => !rows.Any(r => r[diagnosis] == d)) is { } absent)
        {
            throw new NotFoundException(new MissingName(NotFoundKind.Diagnosis, absent, diagnosisSource, diagnosesPresent));
        }
        if (!options.KeepSmc)
        {
            Drop(rows, steps, "baseline or screening diagnosis SMC", r =>
                new[] { "diagnosis_bl", "diagnosis_sc" }.Any(c => merged.HasColumn(c) && r[merged.IndexOf(c)] == "SMC"));
        }
        var participant = merged.IndexOf("participant_id");
        var session = merged.IndexOf("session_id");
        rows = rows.OrderBy(r => r[participant], StringComparer.Ordinal).ThenBy(r => r[session], SessionOrder.Comparer).ToList();
        if (options.RemoveUniqueSession)
        {
            var counts = rows.GroupBy(r => r[participant]).ToDictionary(g => g.Key!, g => g.Count());
            Drop(rows, steps, "participant has a single session", r => counts[r[participant]!] == 1);
        }
        InferOrDropDiagnoses(rows, steps, participant, diagnosis);
        var droppedByDiagnosis = Drop(rows, steps, $"diagnosis not in {string.Join(", ", options.Diagnoses)}", r => !options.Diagnoses.Contains(r[diagnosis]!, StringComparer.Ordinal));
        if (sessionsWithModality is not null)
        {
            Drop(rows, steps, $"no {options.Modality} image", r => !sessionsWithModality.Contains((r[participant]!, r[session]!)));
        }
        if (options.RestrictionPath is not null)
        {
            var restriction = TsvTable.Read(options.RestrictionPath);
            restriction.Require("participant_id", "session_id");
            var allowed = restriction.Rows.Select(r => (r[restriction.IndexOf("participant_id")], r[restriction.IndexOf("session_id")])).ToHashSet();
            Drop(rows, steps, $"not in {options.RestrictionPath}", r => !allowed.Contains((r[participant], r[session])));
        }

        var drops = new DropReport("sessions", before, steps);
        if (drops.IsEmpty)
        {
            throw new NothingSelectedException(drops, droppedByDiagnosis > 0
                ? $"{diagnosisSource} holds {(diagnosesPresent.Count == 0 ? "no value" : string.Join(", ", diagnosesPresent))}; name the diagnoses to keep with -Diagnosis."
                : null);
        }
        var output = new List<(string Name, int Source)> { ("participant_id", participant), ("session_id", session) };
        if (ageColumn is not null)
        {
            output.Add((ageColumn, merged.IndexOf(ageColumn)));
        }
        if (sexColumn is not null)
        {
            output.Add((sexColumn, merged.IndexOf(sexColumn)));
        }
        output.Add(("diagnosis", diagnosis));
        output.AddRange(options.VariablesOfInterest.Where(v => output.All(o => o.Name != v)).Select(v => (v, merged.IndexOf(v))));
        var labels = new TsvTable(output.Select(o => o.Name), rows.Select(r => output.Select(o => r[o.Source]).ToArray()));
        return new LabelResult { Labels = labels, AgeColumn = ageColumn, SexColumn = sexColumn, DiagnosisColumn = diagnosisColumn, Drops = drops };
    }

    private static void CheckUnique(TsvTable table, List<string?[]> rows)
    {
        var participant = table.IndexOf("participant_id");
        var session = table.IndexOf("session_id");
        var seen = new Dictionary<(string?, string?), int>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i][participant] is null || rows[i][session] is null)
            {
                throw new InvalidTableException($"'{table.Path}', line {TsvTable.LineOf(i)}: participant_id and session_id must both be given.", table.Path);
            }
            if (!seen.TryAdd((rows[i][participant], rows[i][session]), i))
            {
                throw new InvalidTableException(
                    $"'{table.Path}', line {TsvTable.LineOf(i)}: ({rows[i][participant]}, {rows[i][session]}) already appears on line {TsvTable.LineOf(seen[(rows[i][participant], rows[i][session])])}; each session must appear once.", table.Path);
            }
        }
    }

    private static void FillAdniDiagnoses(TsvTable table, List<string?[]> rows, int diagnosis)
    {
        var change = table.IndexOf("adni_diagnosis_change");
        if (change < 0)
        {
            return;
        }
        foreach (var row in rows.Where(r => r[diagnosis] is null && r[change] is not null))
        {
            var code = row[change]!.Split('.')[0];
            row[diagnosis] = AdniDiagnosisChange.GetValueOrDefault(code);
        }
    }

    /// <summary>
    /// A missing diagnosis takes the value of its nearest earlier and later known diagnoses when they agree;
    /// otherwise (they differ, or it is the first or last session) the session is dropped.
    /// </summary>
    private static void InferOrDropDiagnoses(List<string?[]> rows, List<DropStep> steps, int participant, int diagnosis)
    {
        var dropped = new HashSet<string?[]>();
        foreach (var sessions in rows.GroupBy(r => r[participant]))
        {
            var list = sessions.ToList();
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i][diagnosis] is not null)
                {
                    continue;
                }
                var before = list.Take(i).LastOrDefault(r => r[diagnosis] is not null && !dropped.Contains(r))?[diagnosis];
                var after = list.Skip(i + 1).FirstOrDefault(r => r[diagnosis] is not null)?[diagnosis];
                if (before is not null && before == after)
                {
                    list[i][diagnosis] = before;
                }
                else
                {
                    dropped.Add(list[i]);
                }
            }
        }
        Drop(rows, steps, "missing diagnosis that could not be inferred", dropped.Contains);
    }

    /// <summary>Removes the rows a step rejects, records the step when it removed any; returns how many.</summary>
    private static int Drop(List<string?[]> rows, List<DropStep> steps, string reason, Func<string?[], bool> predicate)
    {
        var removed = rows.RemoveAll(r => predicate(r));
        if (removed > 0)
        {
            steps.Add(new DropStep(reason, removed));
        }
        return removed;
    }

    private static string? Format(object? value) => value switch
    {
        null => null,
        double number => TsvTable.FormatNumber(number),
        _ => value.ToString(),
    };
}
