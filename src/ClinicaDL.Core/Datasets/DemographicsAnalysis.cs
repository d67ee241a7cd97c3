using System.Globalization;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Datasets;

/// <summary>
/// ClinicaDL's <c>tsvtools analysis</c>: per diagnosis group, subjects, age, sex, MMSE, CDR and scans. Age, MMSE
/// and CDR come from each subject's first session in the group; standard deviations have ddof = 0 (numpy's
/// nanstd); missing values are left out. A subject counts as F if any of its rows says F.
/// </summary>
public static class DemographicsAnalysis
{
    public static readonly string[] Columns =
    [
        "group", "n_subjects", "mean_age", "std_age", "min_age", "max_age", "sexF", "sexM", "mean_MMSE", "std_MMSE", "min_MMSE", "max_MMSE",
        "CDR_0", "CDR_0.5", "CDR_1", "CDR_2", "CDR_3", "mean_scans", "std_scans", "n_scans",
    ];

    public static IReadOnlyList<DemographicsRow> Analyse(TsvTable labels)
    {
        labels.Require("participant_id", "session_id", "diagnosis");
        int participant = labels.IndexOf("participant_id"), session = labels.IndexOf("session_id"), diagnosis = labels.IndexOf("diagnosis");
        var age = IndexOf(labels, ColumnFinder.Find(labels.Columns, "age"));
        var sex = IndexOf(labels, ColumnFinder.Find(labels.Columns, "sex"));
        var mmse = IndexOf(labels, ColumnFinder.Find(labels.Columns, "mms"));
        var cdr = labels.IndexOf("cdr_global");
        var rows = new List<DemographicsRow>();
        foreach (var group in labels.Rows.Where(r => r[diagnosis] is not null).GroupBy(r => r[diagnosis]!).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var subjects = group.GroupBy(r => r[participant]).Select(g => g.OrderBy(r => r[session], SessionOrder.Comparer).ToList()).ToList();
            var firsts = subjects.Select(s => s[0]).ToList();
            var ages = Numbers(firsts, age);
            var scores = Numbers(firsts, mmse);
            var cdrs = Numbers(firsts, cdr);
            var scans = subjects.Select(s => (double)s.Count).ToList();
            var female = subjects.Count(s => sex >= 0 && s.Any(r => r[sex] == "F"));
            rows.Add(new DemographicsRow
            {
                Group = group.Key,
                Subjects = subjects.Count,
                MeanAge = Mean(ages), StdAge = Std(ages), MinAge = Min(ages), MaxAge = Max(ages),
                SexF = female,
                SexM = sex >= 0 ? subjects.Count - female : 0,
                MeanMmse = Mean(scores), StdMmse = Std(scores), MinMmse = Min(scores), MaxMmse = Max(scores),
                Cdr0 = cdrs.Count(v => v == 0), Cdr05 = cdrs.Count(v => v == 0.5), Cdr1 = cdrs.Count(v => v == 1),
                Cdr2 = cdrs.Count(v => v == 2), Cdr3 = cdrs.Count(v => v == 3),
                MeanScans = Mean(scans), StdScans = Std(scans), Scans = group.Count(),
            });
        }
        return rows;
    }

    /// <summary>The rows as ClinicaDL's table (index column <c>group</c>).</summary>
    public static TsvTable ToTable(IEnumerable<DemographicsRow> rows) => new(Columns, rows.Select(r => new[]
    {
        r.Group, I(r.Subjects), D(r.MeanAge), D(r.StdAge), D(r.MinAge), D(r.MaxAge), I(r.SexF), I(r.SexM),
        D(r.MeanMmse), D(r.StdMmse), D(r.MinMmse), D(r.MaxMmse), I(r.Cdr0), I(r.Cdr05), I(r.Cdr1), I(r.Cdr2), I(r.Cdr3),
        D(r.MeanScans), D(r.StdScans), I(r.Scans),
    }));

    private static int IndexOf(TsvTable table, string? column) => column is null ? -1 : table.IndexOf(column);

    private static List<double> Numbers(List<string?[]> rows, int column) => column < 0 ? [] : rows
        .Select(r => double.TryParse(r[column], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN)
        .Where(double.IsFinite).ToList();

    private static double Mean(List<double> values) => values.Count == 0 ? double.NaN : values.Average();
    private static double Min(List<double> values) => values.Count == 0 ? double.NaN : values.Min();
    private static double Max(List<double> values) => values.Count == 0 ? double.NaN : values.Max();

    private static double Std(List<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
    }

    private static string? D(double value) => double.IsNaN(value) ? null : TsvTable.FormatNumber(value);
    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
