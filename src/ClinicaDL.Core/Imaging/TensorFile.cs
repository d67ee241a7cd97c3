using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Imaging;

/// <summary>
/// The module's tensor file (<c>.tensor</c>): a 64-byte-aligned header then the values as raw little-endian
/// float32 in C order, so a reader can map the file and use the data in place. PyTorch's <c>.pt</c> is a zip of
/// pickles that only Python reads well; this one is readable from any language in a few lines.
/// Header: magic "CDLTENSR", uint32 version (1), uint32 element type (1 = float32), uint32 rank, uint32 zero,
/// then rank int64 dimensions, then zeros up to the next multiple of 64 bytes.
/// </summary>
public static class TensorFile
{
    public const string Extension = ".tensor";
    private const int Version = 1;
    private const int Float32 = 1;
    private const int Alignment = 64;
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("CDLTENSR");

    public static void Write(string path, IReadOnlyList<long> shape, ReadOnlySpan<float> values)
    {
        var count = shape.Aggregate(1L, (a, b) => a * b);
        if (count != values.Length)
        {
            throw new ArgumentException($"Shape {string.Join("x", shape)} holds {count} values; {values.Length} were given.");
        }
        var header = new byte[HeaderLength(shape.Count)];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), Version);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), Float32);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), shape.Count);
        for (var axis = 0; axis < shape.Count; axis++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(24 + 8 * axis), shape[axis]);
        }
        using var file = AtomicFile.Create(path);
        file.Stream.Write(header);
        if (BitConverter.IsLittleEndian)
        {
            file.Stream.Write(MemoryMarshal.AsBytes(values));
        }
        else
        {
            var buffer = new byte[4];
            foreach (var value in values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer, value);
                file.Stream.Write(buffer);
            }
        }
        file.Commit();
    }

    public static (long[] Shape, float[] Values) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 24 || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
        {
            throw new InvalidTensorFileException($"'{path}' is not a tensor file: it does not start with CDLTENSR.");
        }
        var version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        var type = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        var rank = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16));
        if (version != Version || type != Float32 || rank < 0 || rank > 16 || bytes.Length < HeaderLength(rank))
        {
            throw new InvalidTensorFileException($"'{path}': unsupported tensor file (version {version}, element type {type}, rank {rank}); this module reads version 1 float32.");
        }
        var shape = Enumerable.Range(0, rank).Select(axis => BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(24 + 8 * axis))).ToArray();
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var offset = HeaderLength(rank);
        if (shape.Any(d => d < 0) || bytes.Length - offset != count * 4)
        {
            throw new InvalidTensorFileException($"'{path}': shape {string.Join("x", shape)} needs {count * 4} bytes of data; the file has {bytes.Length - offset}.");
        }
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(offset + 4 * i));
        }
        return (shape, values);
    }

    /// <summary>
    /// The shape of a tensor file, from its header alone; the file's length is checked against it, so a truncated
    /// or padded file is refused before any training starts on it.
    /// </summary>
    public static long[] ReadShape(string path)
    {
        using var stream = File.OpenRead(path);
        var fixedPart = new byte[24];
        if (stream.Length < fixedPart.Length)
        {
            throw new InvalidTensorFileException($"'{path}' is not a tensor file: it has {stream.Length} bytes, fewer than a header's 24.");
        }
        stream.ReadExactly(fixedPart);
        if (!fixedPart.AsSpan(0, 8).SequenceEqual(Magic))
        {
            throw new InvalidTensorFileException($"'{path}' is not a tensor file: it does not start with CDLTENSR.");
        }
        var rank = BinaryPrimitives.ReadInt32LittleEndian(fixedPart.AsSpan(16));
        if (rank is < 0 or > 16 || stream.Length < HeaderLength(rank))
        {
            throw new InvalidTensorFileException($"'{path}': unsupported tensor rank {rank}, or a header cut short.");
        }
        var dimensions = new byte[8 * rank];
        stream.ReadExactly(dimensions);
        var shape = Enumerable.Range(0, rank).Select(axis => BinaryPrimitives.ReadInt64LittleEndian(dimensions.AsSpan(8 * axis))).ToArray();
        var data = stream.Length - HeaderLength(rank);
        if (shape.Any(d => d < 0) || shape.Aggregate(1.0, (a, b) => a * b) * 4 != data)
        {
            throw new InvalidTensorFileException($"'{path}': shape {string.Join("x", shape)} needs {shape.Aggregate(1.0, (a, b) => a * b) * 4} bytes of data; the file has {data} (truncated or not written whole); extract it again with Export-ClinicaDLTensor -Overwrite.");
        }
        return shape;
    }

    private static int HeaderLength(int rank) => (24 + 8 * rank + Alignment - 1) / Alignment * Alignment;
}
