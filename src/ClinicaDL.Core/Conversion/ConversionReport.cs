namespace ClinicaDL.Core.Conversion;

/// <summary>What a conversion did: one item per image, the failures not tied to one image, the log and the validation of the dataset.</summary>
public sealed class ConversionReport(string datasetPath)
{
    public string DatasetPath { get; } = datasetPath;

    public List<ConvertedSeries> Items { get; } = [];

    /// <summary>The failure of each item that has one (Failed, Exists), to report as an error with it.</summary>
    public Dictionary<ConvertedSeries, Exception> ItemErrors { get; } = [];

    /// <summary>Corrupt DICOM files, inputs without images, a missing dcm2niix.</summary>
    public List<ConversionException> Errors { get; } = [];

    /// <summary>The conversion log written in the dataset's logs/ folder (null when nothing was written).</summary>
    public string? LogPath { get; set; }

    /// <summary>The validation of the dataset after the conversion (null when the dataset folder does not exist).</summary>
    public BidsValidationResult? Validation { get; set; }
}
