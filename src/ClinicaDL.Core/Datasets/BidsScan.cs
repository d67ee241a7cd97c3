namespace ClinicaDL.Core.Datasets;

/// <summary>What a scan of a BIDS folder found.</summary>
public sealed class BidsScan
{
    public required string DatasetPath { get; init; }
    public required IReadOnlyList<BidsSession> Sessions { get; init; }
    public required IReadOnlyList<DatasetIssue> Issues { get; init; }

    /// <summary>Whether any subject has <c>ses-</c> folders.</summary>
    public required bool HasSessions { get; init; }

    /// <summary>Each modality asked of the scan that no image has, with the modalities the dataset has.</summary>
    public IReadOnlyList<Selection.MissingName> MissingModalities { get; init; } = [];

    /// <summary>The columns of participants.tsv (empty when there is none).</summary>
    public required IReadOnlyList<string> ParticipantsColumns { get; init; }
}
