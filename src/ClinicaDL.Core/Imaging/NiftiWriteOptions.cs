namespace ClinicaDL.Core.Imaging;

/// <summary>How <see cref="NiftiWriter"/> stores an image.</summary>
public sealed class NiftiWriteOptions
{
    /// <summary>The stored datatype; values are rounded and clamped to integer types.</summary>
    public NiftiDataType DataType { get; init; } = NiftiDataType.Float32;

    /// <summary>Stored values are <c>(value - SclInter) / SclSlope</c>; readers apply the inverse.</summary>
    public double SclSlope { get; init; } = 1.0;

    public double SclInter { get; init; }

    /// <summary>1 = scanner anatomical, 2 = aligned, 3 = Talairach, 4 = MNI 152; 0 leaves the qform unused.</summary>
    public int QformCode { get; init; } = 1;

    public int SformCode { get; init; } = 1;

    /// <summary>Up to 79 ASCII characters describing the image.</summary>
    public string Descrip { get; init; } = "";

    /// <summary>Units code: 10 = millimetres and seconds (NIFTI_UNITS_MM | NIFTI_UNITS_SEC).</summary>
    public int XyztUnits { get; init; } = 10;

    /// <summary>Compression speed for <c>.nii.gz</c>; <see cref="System.IO.Compression.CompressionLevel.Fastest"/> suits caches.</summary>
    public System.IO.Compression.CompressionLevel Compression { get; init; } = System.IO.Compression.CompressionLevel.Optimal;
}
