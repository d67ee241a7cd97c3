namespace ClinicaDL.Core.Datasets;

/// <summary>
/// ClinicaDL's <c>find_label</c>: a column named exactly so, else the shortest column whose name contains the
/// word, ignoring case (so <c>age_bl</c> serves as the age column).
/// </summary>
public static class ColumnFinder
{
    public static string? Find(IEnumerable<string> columns, string word)
    {
        var all = columns.ToList();
        if (all.Contains(word, StringComparer.Ordinal))
        {
            return word;
        }
        return all.Where(c => c.Contains(word, StringComparison.OrdinalIgnoreCase))
            .OrderBy(c => c.Length).ThenBy(c => c, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    /// <summary>The diagnosis column: <c>diagnosis</c>, ADNI's <c>dx1</c>, else any column containing "diagnosis".</summary>
    public static string? Diagnosis(IEnumerable<string> columns)
    {
        var all = columns.ToList();
        return all.Contains("diagnosis", StringComparer.Ordinal) ? "diagnosis"
            : all.Contains("dx1", StringComparer.Ordinal) ? "dx1"
            : Find(all.Where(c => c is not ("diagnosis_bl" or "diagnosis_sc")), "diagnosis");
    }
}
