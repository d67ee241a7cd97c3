using System.Buffers;
using System.IO.Compression;
using System.Numerics;
using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Imaging;

/// <summary>
/// Writes single-file NIfTI-1 images (<c>.nii</c>, or <c>.nii.gz</c> when the name ends so), little-endian,
/// with the affine as both sform and qform. Files appear atomically: written beside the target, then renamed.
/// </summary>
public static class NiftiWriter
{
    private const int ChunkVoxels = 1 << 16;

    /// <summary>Writes float32 values (the form model inputs take), converted to the chosen datatype.</summary>
    public static void Write(string path, int[] shape, float[] values, AffineMatrix affine, NiftiWriteOptions? options = null) =>
        Write<float>(path, shape, values, affine, options);

    /// <summary>Writes float64 values (the form <see cref="NiftiImage.GetData"/> gives), converted to the chosen datatype.</summary>
    public static void Write(string path, int[] shape, double[] values, AffineMatrix affine, NiftiWriteOptions? options = null) =>
        Write<double>(path, shape, values, affine, options);

    /// <summary>Writes values, converted to the chosen datatype (rounded and clamped for integer types).</summary>
    public static void Write<T>(string path, IReadOnlyList<int> shape, ReadOnlySpan<T> values, AffineMatrix affine, NiftiWriteOptions? options = null)
        where T : struct, INumberBase<T>
    {
        options ??= new NiftiWriteOptions();
        var header = BuildHeader(shape, affine, options);
        CheckCount(header, values.Length);
        if (!NiftiDataTypes.IsScalar(options.DataType))
        {
            throw new ArgumentException($"{NiftiDataTypes.Name(options.DataType)} images are written from raw bytes (WriteRaw).", nameof(options));
        }
        var voxelSize = NiftiDataTypes.BytesPerVoxel(options.DataType);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkVoxels * voxelSize);
        try
        {
            using var target = AtomicFile.Create(path);
            using (var gzip = Compressor(target, options))
            {
                var content = (Stream?)gzip ?? target.Stream;
                content.Write(NiftiHeaderCodec.EncodeNifti1(header));
                for (var start = 0; start < values.Length; start += ChunkVoxels)
                {
                    var chunk = values.Slice(start, Math.Min(ChunkVoxels, values.Length - start));
                    var bytes = buffer.AsSpan(0, chunk.Length * voxelSize);
                    VoxelEncoder.Encode(chunk, options.DataType, options.SclSlope, options.SclInter, bytes);
                    content.Write(bytes);
                }
            }
            target.Commit();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes stored values given as bytes in this machine's order, unchanged: exact for every datatype.</summary>
    public static void WriteRaw(string path, IReadOnlyList<int> shape, ReadOnlySpan<byte> nativeBytes, AffineMatrix affine, NiftiWriteOptions? options = null)
    {
        options ??= new NiftiWriteOptions();
        var header = BuildHeader(shape, affine, options);
        var voxelSize = NiftiDataTypes.BytesPerVoxel(options.DataType);
        if (nativeBytes.Length % voxelSize != 0)
        {
            throw new ArgumentException($"{nativeBytes.Length} bytes are not a whole number of {voxelSize}-byte voxels.", nameof(nativeBytes));
        }
        CheckCount(header, nativeBytes.Length / voxelSize);
        if (!BitConverter.IsLittleEndian)
        {
            var swapped = nativeBytes.ToArray();
            VoxelDecoder.SwapInPlace(swapped, options.DataType);
            nativeBytes = swapped;
        }
        using var target = AtomicFile.Create(path);
        using (var gzip = Compressor(target, options))
        {
            var content = (Stream?)gzip ?? target.Stream;
            content.Write(NiftiHeaderCodec.EncodeNifti1(header));
            content.Write(nativeBytes);
        }
        target.Commit();
    }

    private static void CheckCount(NiftiHeader header, int count)
    {
        if (header.VoxelCount != count)
        {
            throw new ArgumentException($"The shape {string.Join("x", header.Shape)} holds {header.VoxelCount} voxels but {count} values were given.");
        }
    }

    private static NiftiHeader BuildHeader(IReadOnlyList<int> shape, AffineMatrix affine, NiftiWriteOptions options)
    {
        if (shape.Count is < 1 or > 7 || shape.Any(extent => extent is < 1 or > short.MaxValue))
        {
            throw new ArgumentException($"A NIfTI-1 shape has 1 to 7 extents of 1 to {short.MaxValue}; got ({string.Join(", ", shape)}).", nameof(shape));
        }
        var voxelSize = NiftiDataTypes.BytesPerVoxel(options.DataType);
        if (voxelSize == 0)
        {
            throw new ArgumentException($"Datatype {options.DataType} cannot be written.", nameof(options));
        }
        if (options.SclSlope == 0 || !double.IsFinite(options.SclSlope) || !double.IsFinite(options.SclInter))
        {
            throw new ArgumentException($"scl_slope must be finite and non-zero and scl_inter finite; got {options.SclSlope} and {options.SclInter}.", nameof(options));
        }
        var (zooms, qfac, b, c, d) = NiftiAffine.ToQuaternion(affine);
        var dim = new long[8];
        var pixdim = new double[8];
        dim[0] = shape.Count;
        pixdim[0] = qfac;
        for (var axis = 1; axis < 8; axis++)
        {
            dim[axis] = axis <= shape.Count ? shape[axis - 1] : 1;
            pixdim[axis] = axis <= 3 ? zooms[axis - 1] : 1.0;
        }
        return new NiftiHeader
        {
            NiftiVersion = 1,
            SizeofHdr = NiftiHeaderCodec.Nifti1Size,
            Magic = "n+1",
            Dim = dim,
            Pixdim = pixdim,
            Datatype = (short)options.DataType,
            Bitpix = (short)(voxelSize * 8),
            VoxOffset = NiftiHeaderCodec.Nifti1Size + NiftiHeaderCodec.ExtenderSize,
            SclSlope = options.SclSlope,
            SclInter = options.SclInter,
            XyztUnits = options.XyztUnits,
            Descrip = options.Descrip,
            QformCode = options.QformCode,
            SformCode = options.SformCode,
            QuaternB = b,
            QuaternC = c,
            QuaternD = d,
            QoffsetX = affine[0, 3],
            QoffsetY = affine[1, 3],
            QoffsetZ = affine[2, 3],
            SrowX = affine[0],
            SrowY = affine[1],
            SrowZ = affine[2],
        };
    }

    /// <summary>A gzip layer over the file for <c>.gz</c> names; null when the file takes the bytes directly.</summary>
    private static GZipStream? Compressor(AtomicFile target, NiftiWriteOptions options) =>
        target.TargetPath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(target.Stream, options.Compression, leaveOpen: true)
            : null;
}
