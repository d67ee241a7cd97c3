using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Conversion;

/// <summary>What became of one converted image.</summary>
public enum ConversionStatus
{
    /// <summary>Placed in the dataset.</summary>
    Converted,

    /// <summary>No rule matched (kept under sourcedata/unmatched/ only when asked).</summary>
    Unmatched,

    /// <summary>Several rules matched: placed nowhere, as dcm2bids does, until the rules tell them apart.</summary>
    Ambiguous,

    /// <summary>A file of the same BIDS name exists and -Force was not given.</summary>
    Exists,

    /// <summary>Not written: -WhatIf, or the user answered no.</summary>
    Skipped,

    /// <summary>Could not be converted (dcm2niix refused it, a corrupt file, no participant label...).</summary>
    Failed,
}

/// <summary>
/// One image a conversion met: a DICOM series (one object per image dcm2niix makes of it, usually one), or a loose
/// NIfTI or ANALYZE file; where it went in the dataset, by which rule, or why it went nowhere.
/// </summary>
public sealed class ConvertedSeries
{
    /// <summary>The series' folder, or the image file.</summary>
    public required string Source { get; init; }

    /// <summary>DICOM, NIfTI or ANALYZE.</summary>
    public required string SourceFormat { get; init; }

    public string? SeriesDescription { get; init; }

    public int? SeriesNumber { get; init; }

    /// <summary>The id of the rule that placed it.</summary>
    public string? Rule { get; init; }

    /// <summary>sub-&lt;label&gt;, when known.</summary>
    public string? ParticipantId { get; init; }

    /// <summary>ses-&lt;label&gt;, or null for a dataset without sessions.</summary>
    public string? SessionId { get; init; }

    /// <summary>The image written (or that would be written) in the dataset.</summary>
    public string? OutputPath { get; init; }

    /// <summary>The image's shape (64x64x35x2).</summary>
    public ReadableList<int>? Dimensions { get; init; }

    /// <summary>A <see cref="ConversionStatus"/> name: Converted, Unmatched, Ambiguous, Exists, Skipped or Failed.</summary>
    public required string Status { get; init; }

    /// <summary>Why it was not converted (no rule matched and why, several rules matched, the failure).</summary>
    public string? Reason { get; init; }

    /// <summary>Sidecar fields removed as identifying.</summary>
    public ReadableList<string> RemovedFields { get; init; } = [];
}
