namespace ClinicaDL.Core.Selection;

/// <summary>One filtering step and how many rows it removed.</summary>
public sealed record DropStep(string Reason, int Count);

/// <summary>
/// What a chain of filters did to a table: the rows it started with, each step that removed some, the rows left.
/// A step that drops much is worth a warning, one that drops everything an error: a silent empty result is
/// found out a step later, from a confusing message.
/// </summary>
public sealed class DropReport
{
    /// <summary>Dropping more than this fraction of the rows is reported as a warning.</summary>
    public const double LargeFraction = 0.10;

    public DropReport(string what, int before, IReadOnlyList<DropStep> steps)
    {
        What = what;
        Before = before;
        Steps = steps;
    }

    /// <summary>The unit counted, plural: "sessions".</summary>
    public string What { get; }
    public int Before { get; }
    public IReadOnlyList<DropStep> Steps { get; }
    public int Dropped => Steps.Sum(s => s.Count);
    public int After => Before - Dropped;

    /// <summary>Everything was dropped (and there was something to drop).</summary>
    public bool IsEmpty => Before > 0 && After == 0;

    public bool IsLarge => Before > 0 && Dropped > Before * LargeFraction;

    /// <summary>"44 of 44 sessions dropped (44: diagnosis not in AD, CN)".</summary>
    public string Summary => $"{Dropped} of {Before} {What} dropped ({string.Join("; ", Steps.Select(s => $"{s.Count}: {s.Reason}"))}), {After} left";
}

/// <summary>Filters left nothing: the report says how many rows each step removed.</summary>
public sealed class NothingSelectedException(DropReport report, string? hint = null)
    : Exception($"Nothing is left: {report.Summary}.{(hint is null ? "" : " " + hint)}")
{
    public DropReport Report { get; } = report;
}
