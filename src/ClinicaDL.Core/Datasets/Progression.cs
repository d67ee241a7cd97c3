using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Datasets;

/// <summary>
/// ClinicaDL's <c>get-progression</c>: adds a <c>progression</c> column telling, for each session, whether the
/// diagnosis worsens (p), improves (r) or stays (s) within a time horizon, on the severity scale CN &lt; MCI &lt;
/// AD = Dementia. A participant with both p and r becomes "us" (unstable) on every session; otherwise the last
/// session, whose future is unknown, becomes "uk". Sessions must be named ses-M&lt;months&gt;.
/// </summary>
public static class Progression
{
    private static readonly Dictionary<string, int> Severity = new(StringComparer.Ordinal)
    {
        ["CN"] = 0, ["MCI"] = 1, ["AD"] = 2, ["Dementia"] = 2,
    };

    public static TsvTable Add(TsvTable labels, int timeHorizon = 36)
    {
        labels.Require("participant_id", "session_id", "diagnosis");
        int participant = labels.IndexOf("participant_id"), session = labels.IndexOf("session_id"), diagnosis = labels.IndexOf("diagnosis");
        for (var row = 0; row < labels.Rows.Count; row++)
        {
            var cells = labels.Rows[row];
            if (SessionOrder.Month(cells[session] ?? "") is null)
            {
                throw new InvalidTableException($"'{labels.Path}', line {TsvTable.LineOf(row)}: session '{cells[session]}' is not ses-M<months>; progression needs the month of each session.", labels.Path);
            }
            if (cells[diagnosis] is not { } value || !Severity.ContainsKey(value))
            {
                throw new InvalidTableException(
                    $"'{labels.Path}', line {TsvTable.LineOf(row)}: diagnosis '{cells[diagnosis] ?? "n/a"}' is not on the severity scale CN, MCI, AD, Dementia.", labels.Path);
            }
        }
        var columns = labels.Columns.Contains("progression") ? labels.Columns.ToList() : [.. labels.Columns, "progression"];
        var progression = columns.IndexOf("progression");
        var labelsByRow = new Dictionary<string?[], string>();
        foreach (var group in labels.Rows.GroupBy(r => r[participant]))
        {
            var sessions = group.OrderBy(r => SessionOrder.Month(r[session]!)).ToList();
            var months = sessions.Select(r => SessionOrder.Month(r[session]!)!.Value).ToList();
            var values = sessions.Select(r => Severity[r[diagnosis]!]).ToList();
            var result = new string[sessions.Count];
            for (var i = 0; i < sessions.Count; i++)
            {
                result[i] = Compare(values[i], FutureSeverity(months, values, months[i] + timeHorizon, values[i]));
            }
            if (result.Contains("p") && result.Contains("r"))
            {
                Array.Fill(result, "us");
            }
            else
            {
                result[^1] = "uk";
            }
            for (var i = 0; i < sessions.Count; i++)
            {
                labelsByRow[sessions[i]] = result[i];
            }
        }
        return new TsvTable(columns, labels.Rows.Select(r =>
        {
            var cells = new string?[columns.Count];
            Array.Copy(r, cells, r.Length);
            cells[progression] = labelsByRow[r];
            return cells;
        }), labels.Path);
    }

    /// <summary>The severity that decides: at the horizon, else the last one, else the neighbours of the horizon.</summary>
    private static int FutureSeverity(List<int> months, List<int> values, int horizon, int current)
    {
        var exact = months.IndexOf(horizon);
        if (exact >= 0)
        {
            return values[exact];
        }
        if (horizon > months[^1])
        {
            return values[^1];
        }
        var after = months.FindIndex(m => m > horizon);
        var before = after - 1;
        return values[before] != current ? values[before] : values[after];
    }

    private static string Compare(int current, int future) => future > current ? "p" : future < current ? "r" : "s";
}
