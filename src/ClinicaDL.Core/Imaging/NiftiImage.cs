using System.Runtime.InteropServices;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Imaging;

/// <summary>
/// One NIfTI image: its header, what nibabel derives from it (shape, voxel size, affine) and its voxels.
/// The voxels of a header-only image are read from <see cref="Path"/> when first asked for.
/// </summary>
public sealed class NiftiImage
{
    private readonly NiftiReadOptions _options;
    private byte[]? _raw;

    internal NiftiImage(string path, NiftiHeader header, byte[]? raw, NiftiReadOptions options)
    {
        Path = path;
        Header = header;
        _raw = raw;
        _options = options;
        Shape = new(header.Shape.Select(extent => (int)extent), "x");
        VoxelSize = new(header.Zooms, "x");
        Affine = NiftiAffine.Best(header);
        AffineSource = NiftiAffine.Source(header);
    }

    /// <summary>The file the image was read from (the .hdr or .img given, for pairs).</summary>
    public string Path { get; }

    public NiftiHeader Header { get; }

    /// <summary>nibabel's shape, <c>dim[1..dim[0]]</c>, first axis fastest in the data; its text is 91x109x91.</summary>
    public ReadableList<int> Shape { get; }

    /// <summary>nibabel's zooms: the voxel size along each axis of <see cref="Shape"/>; its text is 2x2x2.</summary>
    public ReadableList<double> VoxelSize { get; }

    /// <summary>The voxel-to-world affine nibabel's <c>img.affine</c> gives.</summary>
    public AffineMatrix Affine { get; }

    /// <summary>Which header fields the affine came from: sform, qform or base (pixdim only).</summary>
    public string AffineSource { get; }

    /// <summary>
    /// The voxel type by its <see cref="NiftiDataType"/> name (Float32, Int16...): a name, not the enum, because
    /// JSON writers give an enum's number. The code is <see cref="NiftiHeader.Datatype"/>.
    /// </summary>
    public string DataType => Header.VoxelType.ToString();

    /// <summary>Number of voxels.</summary>
    public long VoxelCount => Header.VoxelCount;

    /// <summary>Whether the voxels are in memory (false for a header-only image until its data are asked for).</summary>
    public bool IsDataLoaded => _raw is not null;

    /// <summary>
    /// The voxel values in file order (first axis fastest), scaled by scl_slope/scl_inter exactly as nibabel's
    /// <c>get_fdata()</c>; complex images give their real part, as nibabel does. RGB(A) images have no single
    /// value per voxel: use <see cref="GetRawBytes"/>.
    /// </summary>
    public double[] GetData()
    {
        var raw = Raw();
        if (!NiftiDataTypes.IsScalar(Header.VoxelType) && Header.VoxelType is not (NiftiDataType.Complex64 or NiftiDataType.Complex128))
        {
            throw new InvalidOperationException(
                $"'{Path}' holds {NiftiDataTypes.Name(Header.VoxelType)} voxels, which have no single numeric value; read the components with GetRawBytes().");
        }
        var values = new double[checked((int)VoxelCount)];
        var (slope, inter) = Header.EffectiveScaling;
        VoxelDecoder.Convert<double>(raw, Header.VoxelType, slope, inter, values);
        return values;
    }

    /// <summary>Complex voxels as interleaved (real, imaginary) pairs, unscaled.</summary>
    public double[] GetComplexData()
    {
        var raw = Raw();
        return Header.VoxelType switch
        {
            NiftiDataType.Complex64 => MemoryMarshal.Cast<byte, float>(raw).ToArray().Select(v => (double)v).ToArray(),
            NiftiDataType.Complex128 => MemoryMarshal.Cast<byte, double>(raw).ToArray(),
            _ => throw new InvalidOperationException($"'{Path}' holds {NiftiDataTypes.Name(Header.VoxelType)} voxels, not complex ones."),
        };
    }

    /// <summary>
    /// A copy of the stored voxel bytes in this machine's byte order, unscaled: the raw access for every
    /// datatype (RGB24 gives R, G, B bytes per voxel; RGBA32 R, G, B, A).
    /// </summary>
    public byte[] GetRawBytes() => (byte[])Raw().Clone();

    private byte[] Raw() => _raw ??= NiftiReader.ReadRaw(Path, _options);
}
