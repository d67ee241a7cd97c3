namespace ClinicaDL.Core.Extraction;

/// <summary>ClinicaDL's prepare-data options; their names in the extraction JSON are ClinicaDL's.</summary>
public sealed record ExtractionOptions
{
    public required string CapsPath { get; init; }
    public required ExtractionMode Mode { get; init; }

    /// <summary>t1-linear, flair-linear, pet-linear, t1-extensive or custom.</summary>
    public string Preprocessing { get; init; } = "t1-linear";

    public bool UseUncroppedImage { get; init; }
    public string? Tracer { get; init; }
    public string? SuvrReferenceRegion { get; init; }
    public string? CustomSuffix { get; init; }

    /// <summary>Only these sessions (a TSV with participant_id and session_id); every session of the CAPS when null.</summary>
    public string? SessionsTsv { get; init; }

    /// <summary>The extraction JSON's file name in tensor_extraction/ (extract_&lt;mode&gt;.json by default).</summary>
    public string? ExtractJson { get; init; }

    /// <summary>Also write every part (patch, slice, ROI) as its own tensor file, not only the image.</summary>
    public bool SaveFeatures { get; init; }

    public int PatchSize { get; init; } = 50;
    public int StrideSize { get; init; } = 50;

    /// <summary>0 sagittal, 1 coronal, 2 axial.</summary>
    public int SliceDirection { get; init; }

    /// <summary>rgb (three identical channels, for 2D networks made for colour images) or single.</summary>
    public string SliceMode { get; init; } = "rgb";

    public int DiscardedSlicesStart { get; init; }
    public int DiscardedSlicesEnd { get; init; }

    public IReadOnlyList<string> RoiList { get; init; } = [];

    /// <summary>Keep the whole image around the ROI (masked) instead of cropping it to the mask's bounding box.</summary>
    public bool RoiUncropOutput { get; init; }

    public string? RoiCustomTemplate { get; init; }
    public string? RoiCustomMaskPattern { get; init; }

    /// <summary>Images extracted at once (both cores by default).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Extract again even where the same source and parameters were already extracted; replace a different JSON of the same name.</summary>
    public bool Force { get; init; }
}
