using System.Globalization;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Splits;

/// <summary>
/// A labels table seen per participant, the unit every split works on: the baseline (first) session carries
/// the participant's stratum and demographics, and every later session follows its participant.
/// </summary>
internal sealed class ParticipantTable
{
    private ParticipantTable(TsvTable table, List<Participant> participants, string? ageColumn, string? sexColumn)
    {
        Table = table;
        Participants = participants;
        AgeColumn = ageColumn;
        SexColumn = sexColumn;
    }

    public TsvTable Table { get; }
    public IReadOnlyList<Participant> Participants { get; }
    public string? AgeColumn { get; }
    public string? SexColumn { get; }

    public static ParticipantTable Build(TsvTable table, string stratification, bool demographics)
    {
        var source = table.Path is null ? "the labels" : $"'{table.Path}'";
        table.Require("participant_id", "session_id", stratification);
        var ageColumn = ColumnFinder.Find(table.Columns, "age");
        var sexColumn = ColumnFinder.Find(table.Columns, "sex");
        if (demographics && (ageColumn is null || sexColumn is null))
        {
            throw new SplitException(
                $"{source} has no {(ageColumn is null ? "age" : "sex")} column, which the demographic balancing needs; add it or split with -IgnoreDemographics.");
        }
        int participant = table.IndexOf("participant_id"), session = table.IndexOf("session_id"), stratum = table.IndexOf(stratification);
        var seen = new Dictionary<(string?, string?), int>();
        for (var row = 0; row < table.Rows.Count; row++)
        {
            var cells = table.Rows[row];
            if (cells[participant] is null || cells[session] is null)
            {
                throw new SplitException($"{source}, line {TsvTable.LineOf(row)}: participant_id and session_id must both be given.");
            }
            if (!seen.TryAdd((cells[participant], cells[session]), row))
            {
                throw new SplitException(
                    $"{source}, lines {TsvTable.LineOf(seen[(cells[participant], cells[session])])} and {TsvTable.LineOf(row)}: ({cells[participant]}, {cells[session]}) appears twice; each session must appear once.");
            }
        }
        var ordered = Enumerable.Range(0, table.Rows.Count)
            .OrderBy(r => table.Rows[r][participant], StringComparer.Ordinal)
            .ThenBy(r => table.Rows[r][session], SessionOrder.Comparer)
            .ToList();
        var badSex = new List<string>();
        var badAge = new List<string>();
        var missingStratum = new List<string>();
        var participants = new List<Participant>();
        foreach (var group in ordered.GroupBy(r => table.Rows[r][participant]!))
        {
            var baselineRow = group.First();
            var baseline = table.Rows[baselineRow];
            double? age = null;
            string? sex = null;
            if (demographics)
            {
                var ageCell = baseline[table.IndexOf(ageColumn!)];
                if (ageCell is not null)
                {
                    if (double.TryParse(ageCell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    {
                        age = value;
                    }
                    else
                    {
                        badAge.Add($"line {TsvTable.LineOf(baselineRow)} ('{ageCell}')");
                    }
                }
                sex = baseline[table.IndexOf(sexColumn!)];
                if (sex is not ("M" or "F"))
                {
                    badSex.Add($"line {TsvTable.LineOf(baselineRow)} ('{sex ?? "n/a"}')");
                }
            }
            if (baseline[stratum] is null)
            {
                missingStratum.Add($"line {TsvTable.LineOf(baselineRow)}");
            }
            participants.Add(new Participant(group.Key, baseline[stratum] ?? "", age, sex, group.Select(r => table.Rows[r]).ToList()));
        }
        if (badAge.Count > 0)
        {
            throw new SplitException($"{source}: the age column '{ageColumn}' must hold numbers; found {string.Join(", ", badAge.Take(10))}{More(badAge)}.");
        }
        if (badSex.Count > 0)
        {
            throw new SplitException($"{source}: the sex column '{sexColumn}' must hold M or F; found {string.Join(", ", badSex.Take(10))}{More(badSex)}.");
        }
        if (missingStratum.Count > 0)
        {
            throw new SplitException($"{source}: the stratification column '{stratification}' is missing at {string.Join(", ", missingStratum.Take(10))}{More(missingStratum)}.");
        }
        var strata = participants.Select(p => p.Stratum).Distinct().ToList();
        if (strata.Count < 2)
        {
            throw new SplitException(
                $"{source}: the stratification column '{stratification}' has a single value ('{strata.FirstOrDefault()}') among {participants.Count} participants, so there is nothing to stratify on; choose another column with -Stratification.");
        }
        return new ParticipantTable(table, participants, ageColumn, sexColumn);
    }

    private static string More(List<string> items) => items.Count > 10 ? $" and {items.Count - 10} more" : "";
}
