namespace ClinicaDL.Core.Imaging;

/// <summary>The NIfTI datatype codes (nifti1.h <c>DT_*</c>), by the numpy name nibabel gives them.</summary>
public enum NiftiDataType : short
{
    Unknown = 0,
    Binary = 1,
    UInt8 = 2,
    Int16 = 4,
    Int32 = 8,
    Float32 = 16,
    Complex64 = 32,
    Float64 = 64,
    Rgb24 = 128,
    Int8 = 256,
    UInt16 = 512,
    UInt32 = 768,
    Int64 = 1024,
    UInt64 = 1280,
    Float128 = 1536,
    Complex128 = 1792,
    Complex256 = 2048,
    Rgba32 = 2304,
}

/// <summary>Storage facts about each datatype.</summary>
public static class NiftiDataTypes
{
    /// <summary>Bytes one voxel occupies on disk, or 0 for a datatype this reader cannot decode.</summary>
    public static int BytesPerVoxel(NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 or NiftiDataType.Int8 => 1,
        NiftiDataType.Int16 or NiftiDataType.UInt16 => 2,
        NiftiDataType.Rgb24 => 3,
        NiftiDataType.Int32 or NiftiDataType.UInt32 or NiftiDataType.Float32 or NiftiDataType.Rgba32 => 4,
        NiftiDataType.Int64 or NiftiDataType.UInt64 or NiftiDataType.Float64 or NiftiDataType.Complex64 => 8,
        NiftiDataType.Complex128 => 16,
        _ => 0,
    };

    /// <summary>
    /// Bytes of one scalar component, the unit a byte swap works on (complex numbers swap each part,
    /// RGB bytes never swap).
    /// </summary>
    public static int ComponentSize(NiftiDataType type) => type switch
    {
        NiftiDataType.Complex64 => 4,
        NiftiDataType.Complex128 => 8,
        NiftiDataType.Rgb24 or NiftiDataType.Rgba32 => 1,
        _ => BytesPerVoxel(type),
    };

    /// <summary>Whether the voxel has several components (complex or colour) rather than one number.</summary>
    public static bool IsScalar(NiftiDataType type) => type is not (NiftiDataType.Complex64
        or NiftiDataType.Complex128 or NiftiDataType.Rgb24 or NiftiDataType.Rgba32);

    /// <summary>nibabel's (numpy's) name for the datatype, used in messages and in the table view.</summary>
    public static string Name(NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 => "uint8",
        NiftiDataType.Int8 => "int8",
        NiftiDataType.Int16 => "int16",
        NiftiDataType.UInt16 => "uint16",
        NiftiDataType.Int32 => "int32",
        NiftiDataType.UInt32 => "uint32",
        NiftiDataType.Int64 => "int64",
        NiftiDataType.UInt64 => "uint64",
        NiftiDataType.Float32 => "float32",
        NiftiDataType.Float64 => "float64",
        NiftiDataType.Float128 => "float128",
        NiftiDataType.Complex64 => "complex64",
        NiftiDataType.Complex128 => "complex128",
        NiftiDataType.Complex256 => "complex256",
        NiftiDataType.Rgb24 => "RGB",
        NiftiDataType.Rgba32 => "RGBA",
        NiftiDataType.Binary => "binary",
        _ => "unknown",
    };
}
