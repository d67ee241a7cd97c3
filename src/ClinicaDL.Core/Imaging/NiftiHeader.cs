namespace ClinicaDL.Core.Imaging;

/// <summary>
/// A NIfTI-1, NIfTI-2 or ANALYZE 7.5 header as stored in the file (no fixes applied), with nibabel's field
/// names in PascalCase. NIfTI-1 float32 fields hold the exact double value of the stored float.
/// </summary>
public sealed record NiftiHeader
{
    /// <summary>1 or 2 for NIfTI, 0 for an ANALYZE 7.5 header (no magic, no qform/sform).</summary>
    public int NiftiVersion { get; internal init; }

    /// <summary>Whether the file stores numbers big-endian.</summary>
    public bool IsBigEndian { get; internal init; }

    /// <summary>Whether the voxel data lives in a separate <c>.img</c> file.</summary>
    public bool IsPair { get; internal init; }

    public int SizeofHdr { get; internal init; }
    public string Magic { get; internal init; } = "";
    public int DimInfo { get; internal init; }
    public long[] Dim { get; internal init; } = new long[8];
    public double IntentP1 { get; internal init; }
    public double IntentP2 { get; internal init; }
    public double IntentP3 { get; internal init; }
    public int IntentCode { get; internal init; }
    public short Datatype { get; internal init; }
    public short Bitpix { get; internal init; }
    public long SliceStart { get; internal init; }
    public double[] Pixdim { get; internal init; } = new double[8];
    public double VoxOffset { get; internal init; }
    public double SclSlope { get; internal init; }
    public double SclInter { get; internal init; }
    public long SliceEnd { get; internal init; }
    public int SliceCode { get; internal init; }
    public int XyztUnits { get; internal init; }
    public double CalMax { get; internal init; }
    public double CalMin { get; internal init; }
    public double SliceDuration { get; internal init; }
    public double Toffset { get; internal init; }
    public string Descrip { get; internal init; } = "";
    public string AuxFile { get; internal init; } = "";
    public int QformCode { get; internal init; }
    public int SformCode { get; internal init; }
    public double QuaternB { get; internal init; }
    public double QuaternC { get; internal init; }
    public double QuaternD { get; internal init; }
    public double QoffsetX { get; internal init; }
    public double QoffsetY { get; internal init; }
    public double QoffsetZ { get; internal init; }
    public double[] SrowX { get; internal init; } = new double[4];
    public double[] SrowY { get; internal init; } = new double[4];
    public double[] SrowZ { get; internal init; } = new double[4];
    public string IntentName { get; internal init; } = "";

    /// <summary>SPM's origin (ANALYZE headers only), 1-based voxel coordinates of the world origin.</summary>
    public short[] AnalyzeOrigin { get; internal init; } = new short[3];

    public IReadOnlyList<NiftiExtension> Extensions { get; internal init; } = [];

    /// <summary>
    /// The datatype as an enum (unknown codes stay visible in <see cref="Datatype"/>). Internal because
    /// PowerShell, case-insensitive, could not tell it from <see cref="Datatype"/>.
    /// </summary>
    internal NiftiDataType VoxelType => (NiftiDataType)Datatype;

    /// <summary>nibabel's shape: <c>dim[1..dim[0]]</c>.</summary>
    public long[] Shape => Dim.AsSpan(1, (int)Math.Clamp(Dim[0], 0, 7)).ToArray();

    /// <summary>Number of voxels (product of the shape).</summary>
    public long VoxelCount
    {
        get
        {
            long count = 1;
            foreach (var extent in Shape)
            {
                count = checked(count * extent);
            }
            return count;
        }
    }

    /// <summary>nibabel's <c>get_zooms()</c>: the voxel size along each axis of the shape.</summary>
    public double[] Zooms => Pixdim.AsSpan(1, Shape.Length).ToArray().Select(Math.Abs).ToArray();

    /// <summary>
    /// The (slope, intercept) nibabel applies when reading: none (1, 0) when the slope is 0 or not finite.
    /// ANALYZE headers use SPM's slope field and no intercept.
    /// </summary>
    public (double Slope, double Inter) EffectiveScaling =>
        SclSlope == 0 || !double.IsFinite(SclSlope) ? (1.0, 0.0) : (SclSlope, NiftiVersion == 0 ? 0.0 : SclInter);

    /// <summary>Where the voxel data start in the data file (header file for single files, .img for pairs).</summary>
    public long DataOffset => (long)VoxOffset;

    /// <summary>
    /// The fields that identify an image, in one line, as a table cell or an exported CSV shows the header (a
    /// record's own text names its arrays by type, "Dim = System.Int64[]"). Every field stays a property.
    /// </summary>
    public override string ToString()
    {
        var format = NiftiVersion == 0 ? "ANALYZE 7.5" : $"NIfTI-{NiftiVersion}";
        var descrip = Descrip.Length == 0 ? "" : $"; Descrip={Descrip}";
        return $"{format}; Datatype={Datatype}; Dim={Numbers(Dim)}; Pixdim={Numbers(Pixdim)}; QformCode={QformCode}; SformCode={SformCode}{descrip}";
    }

    private static string Numbers<T>(IEnumerable<T> values) where T : IFormattable =>
        string.Join(" ", values.Select(v => v.ToString(null, System.Globalization.CultureInfo.InvariantCulture)));
}
