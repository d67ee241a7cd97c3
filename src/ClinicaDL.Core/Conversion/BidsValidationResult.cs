using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Conversion;

/// <summary>How serious a validation finding is: an error makes the dataset invalid; a warning does not.</summary>
public enum BidsIssueSeverity
{
    Error,
    Warning,
}

/// <summary>One finding of <see cref="BidsValidator"/>: its severity (a <see cref="BidsIssueSeverity"/> name), code (a stable name), the path concerned and what to do.</summary>
public sealed record BidsValidationIssue(string Severity, string Code, string Path, string Message)
{
    public override string ToString() => $"{Severity} {Code}: {Message}";
}

/// <summary>The validation of one BIDS dataset.</summary>
public sealed class BidsValidationResult
{
    public required string Path { get; init; }

    public required ReadableList<BidsValidationIssue> Issues { get; init; }

    public int SubjectCount { get; init; }

    public int SessionCount { get; init; }

    /// <summary>Files checked under the subject folders.</summary>
    public int FileCount { get; init; }

    public bool IsValid => ErrorCount == 0;

    public int ErrorCount => Issues.Count(i => i.Severity == nameof(BidsIssueSeverity.Error));

    public int WarningCount => Issues.Count(i => i.Severity == nameof(BidsIssueSeverity.Warning));
}
