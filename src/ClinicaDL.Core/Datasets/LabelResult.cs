using ClinicaDL.Core.Selection;
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

    /// <summary>The sessions each filtering step removed (SMC, single session, diagnosis, modality, restriction).</summary>
    public required DropReport Drops { get; init; }

    /// <summary>One line per filtering step that removed sessions, for the log.</summary>
    public IReadOnlyList<string> Notes => Drops.Steps.Select(s => $"{s.Count} session(s) dropped: {s.Reason}.").ToList();
}
