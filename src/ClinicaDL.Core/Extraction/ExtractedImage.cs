namespace ClinicaDL.Core.Extraction;

/// <summary>One image's extraction.</summary>
public sealed class ExtractedImage
{
    public required string ParticipantId { get; init; }
    public required string SessionId { get; init; }
    /// <summary>An <see cref="ExtractionMode"/> name (Image, Patch, Slice, Roi): a name, not the enum, because JSON writers give an enum's number.</summary>
    public required string Mode { get; init; }

    /// <summary>Parts per image (1 in image mode).</summary>
    public required int Parts { get; init; }

    /// <summary>The image shape, x by y by z.</summary>
    public required string Shape { get; init; }

    /// <summary>The image tensor ([1, X, Y, Z] .tensor file).</summary>
    public required string TensorPath { get; init; }

    /// <summary>Part tensor files written (with save_features).</summary>
    public required int PartFiles { get; init; }

    /// <summary>Already extracted from the same source with the same parameters: nothing was written.</summary>
    public required bool Skipped { get; init; }

    public required string SourcePath { get; init; }
    public required string ExtractJson { get; init; }
}
