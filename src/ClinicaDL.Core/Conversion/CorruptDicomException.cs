namespace ClinicaDL.Core.Conversion;

/// <summary>A file that claims to be DICOM (its "DICM" marker) but whose header cannot be walked, or which is truncated.</summary>
public sealed class CorruptDicomException(string path, string reason, string? seriesInstanceUid = null)
    : ConversionException(ConversionFailure.CorruptDicomFile, path,
        $"'{path}' is not a readable DICOM file: {reason}. It is left out" + (seriesInstanceUid is null ? "." : ", and so is its series."))
{
    public string Reason { get; } = reason;

    /// <summary>The series the file belongs to, when its header got that far.</summary>
    public string? SeriesInstanceUid { get; } = seriesInstanceUid;
}
