using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Datasets;

/// <summary>The labels table and what was done to get it.</summary>
public sealed class LabelResult
{
    /// <summary>labels.tsv: participant_id, session_id, age, sex, diagnosis, then the variables of interest.</summary>
    public required TsvTable Labels { get; init; }

    /// <summary>Which source column gave the age, the sex and the diagnosis (null when absent).</summary>
    public required string? AgeColumn { get; init; }
    public required string? SexColumn { get; init; }
    public required string DiagnosisColumn { get; init; }

    /// <summary>One line per filtering step that removed sessions, for the log.</summary>
    public required IReadOnlyList<string> Notes { get; init; }
}
