namespace ClinicaDL.Core.Datasets;

/// <summary>What to look for in a CAPS folder.</summary>
public sealed class CapsQuery
{
    public static readonly string[] PreprocessingNames = ["t1-linear", "t1-extensive", "pet-linear", "flair-linear", "custom"];

    public required string Preprocessing { get; init; }

    /// <summary>Take Clinica's uncropped image instead of the cropped one (linear pipelines).</summary>
    public bool UseUncroppedImage { get; init; }

    /// <summary>pet-linear: the tracer (e.g. 18FFDG) and SUVR reference region (e.g. cerebellumPons2).</summary>
    public string? Tracer { get; init; }
    public string? SuvrReferenceRegion { get; init; }

    /// <summary>custom: the end of the file names, e.g. graymatter_space-Ixi549Space_modulated-off_probability.nii.gz.</summary>
    public string? CustomSuffix { get; init; }
}
