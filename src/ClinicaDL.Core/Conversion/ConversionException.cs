namespace ClinicaDL.Core.Conversion;

/// <summary>The ways a conversion to BIDS fails; the names are the cmdlets' ErrorIds.</summary>
public enum ConversionFailure
{
    /// <summary>dcm2niix is not installed (or not where -Dcm2niixPath says).</summary>
    Dcm2niixNotFound,

    /// <summary>dcm2niix ran on a series and made no image of it.</summary>
    Dcm2niixFailed,

    /// <summary>A file with a DICOM marker whose header cannot be read, or which is truncated.</summary>
    CorruptDicomFile,

    /// <summary>An input folder (or file) with no DICOM, NIfTI or ANALYZE image in it.</summary>
    NoDicomFound,

    /// <summary>Rules with an unknown field, an invalid BIDS datatype, suffix or entity, or a malformed criterion.</summary>
    InvalidConversionRules,

    /// <summary>The BIDS output would be written inside one of the inputs (the next run would read it back).</summary>
    OutputInsideInput,

    /// <summary>A series whose patient has no participant label (no mapping row and no -ParticipantId).</summary>
    ParticipantNotMapped,
}

/// <summary>A conversion failure, with the file or folder it is about.</summary>
public class ConversionException(ConversionFailure failure, string path, string message, Exception? inner = null) : Exception(message, inner)
{
    public ConversionFailure Failure { get; } = failure;

    /// <summary>The file or folder the failure is about.</summary>
    public string Path { get; } = path;
}
