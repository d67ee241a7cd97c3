using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Splits;

/// <summary>The result of an audit: every finding and what was checked.</summary>
public sealed class LeakageAudit
{
    public required string Path { get; init; }
    public required ReadableList<LeakageFinding> Findings { get; init; }
    public required int SplitFoldersChecked { get; init; }
    public required int FilesChecked { get; init; }

    /// <summary>No finding of severity Error.</summary>
    public bool Passed => Findings.All(f => f.Severity != "Error");
}
