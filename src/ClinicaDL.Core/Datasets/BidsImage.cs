using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Datasets;

/// <summary>One image file of a BIDS session, named <c>sub-X[_ses-Y][_key-value...]_suffix.nii[.gz]</c>.</summary>
public sealed class BidsImage
{
    public required string Path { get; init; }

    /// <summary>The BIDS suffix, which names the modality: T1w, T2w, FLAIR, pet, dwi, bold...</summary>
    public required string Suffix { get; init; }

    /// <summary>The folder kind the file sits in: anat, func, dwi, fmap, pet, perf...</summary>
    public required string Datatype { get; init; }

    /// <summary>Every key-value entity of the name except sub and ses (acq, rec, run, trc, ce, task...).</summary>
    public required ReadableDictionary<string> Entities { get; init; }

    /// <summary>The JSON sidecar that applies (same name beside it, else the inherited one at the dataset root), or null.</summary>
    public string? SidecarPath { get; init; }

    public required long SizeBytes { get; init; }

    /// <summary>The file, as a list of images shows in one table cell (FileInfo does the same).</summary>
    public override string ToString() => Path;
}
