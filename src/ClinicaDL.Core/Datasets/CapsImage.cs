namespace ClinicaDL.Core.Datasets;

/// <summary>One preprocessed image of a CAPS folder, found with ClinicaDL's file patterns.</summary>
public sealed class CapsImage
{
    public required string ParticipantId { get; init; }
    public required string SessionId { get; init; }

    /// <summary>t1-linear, t1-extensive, pet-linear, flair-linear or custom.</summary>
    public required string Preprocessing { get; init; }

    public required string Path { get; init; }

    /// <summary>Whether this is Clinica's cropped image (<c>_desc-Crop</c>, 169x208x179 at 1 mm).</summary>
    public required bool Cropped { get; init; }

    /// <summary>PET tracer (<c>trc-</c>) and SUVR reference region (<c>suvr-</c>), for pet-linear.</summary>
    public string? Tracer { get; init; }
    public string? SuvrReferenceRegion { get; init; }

    /// <summary>The file-name ending searched for, for custom preprocessing.</summary>
    public string? CustomSuffix { get; init; }
}
