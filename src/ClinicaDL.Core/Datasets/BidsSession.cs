using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Datasets;

/// <summary>One participant at one session of a BIDS dataset, with its images and demographics.</summary>
public sealed class BidsSession
{
    public required string ParticipantId { get; init; }

    /// <summary>
    /// The session label (<c>ses-M000</c>...), or null for datasets without a session level: none is invented.
    /// </summary>
    public string? SessionId { get; init; }

    public required string DatasetPath { get; init; }

    public required ReadableList<BidsImage> Images { get; init; }

    /// <summary>
    /// Every column of participants.tsv (then of the subject's sessions.tsv, which wins on a shared name) for this
    /// participant and session; numbers are doubles, missing values (<c>n/a</c>) null.
    /// </summary>
    public required ReadableDictionary<object?> Attributes { get; init; }

    /// <summary>The distinct suffixes of the images (T1w, pet...).</summary>
    public ReadableList<string> Modalities => new(Images.Select(i => i.Suffix).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
}
