namespace ClinicaDL.Core.Generation;

/// <summary>One generated session: who, what diagnosis, and where its images are.</summary>
public sealed class SyntheticSession
{
    public required string ParticipantId { get; init; }
    public required string SessionId { get; init; }
    public required string Diagnosis { get; init; }
    public required double Age { get; init; }
    public required string Sex { get; init; }

    /// <summary>The disease severity drawn into the image (0 = none), after -AtrophyStrength.</summary>
    public required double AtrophySeverity { get; init; }

    /// <summary>The raw image in the BIDS folder (with -Raw, in scanner space).</summary>
    public required string BidsPath { get; init; }

    /// <summary>The image in template space under Clinica's t1-linear name in the CAPS folder: the BIDS image, or with -Raw what preprocessing should make of it.</summary>
    public required string CapsPath { get; init; }
}
