using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;

namespace ClinicaDL.Core.Imaging;

/// <summary>
/// Reads NIfTI-1, NIfTI-2 and ANALYZE 7.5 images: single <c>.nii</c> files and <c>.hdr/.img</c> pairs,
/// gzip-compressed or not (told by the gzip magic, not the name), either byte order. Every size the header
/// claims is checked against what the file can hold before anything is allocated.
/// </summary>
public static class NiftiReader
{
    /// <summary>deflate cannot expand data more than about 1032:1; a header claiming more is lying.</summary>
    private const long MaxDeflateRatio = 1032;

    private const int StreamBufferSize = 1 << 16;

    /// <summary>Reads the header (and extensions) only; the data are read when first asked for.</summary>
    public static NiftiImage ReadHeader(string path)
    {
        using var source = Open(path);
        return new NiftiImage(source.Path, source.Header, null);
    }

    /// <summary>Reads header and data; the data are kept as stored values in this machine's byte order.</summary>
    public static NiftiImage Read(string path)
    {
        using var source = Open(path);
        return new NiftiImage(source.Path, source.Header, ReadRaw(source));
    }

    /// <summary>
    /// Reads the voxel values straight into a float32 buffer, scaled as nibabel scales them: the fast path for
    /// model inputs (no intermediate copy of the whole volume).
    /// </summary>
    public static float[] ReadSingle(string path, out NiftiHeader header)
    {
        using var source = Open(path);
        header = source.Header;
        var type = header.VoxelType;
        if (!NiftiDataTypes.IsScalar(type) && type is not (NiftiDataType.Complex64 or NiftiDataType.Complex128))
        {
            throw new InvalidNiftiException(source.Path, $"{NiftiDataTypes.Name(type)} voxels cannot be read as single numbers");
        }
        var count = checked((int)header.VoxelCount);
        var result = new float[count];
        var (slope, inter) = header.EffectiveScaling;
        if (type == NiftiDataType.Float32 && !header.IsBigEndian == BitConverter.IsLittleEndian && slope == 1 && inter == 0)
        {
            ReadExactly(source, MemoryMarshal.AsBytes(result.AsSpan()));
            return result;
        }
        var voxelSize = NiftiDataTypes.BytesPerVoxel(type);
        var chunkVoxels = Math.Max(1, StreamBufferSize * 4 / voxelSize);
        var buffer = ArrayPool<byte>.Shared.Rent(chunkVoxels * voxelSize);
        try
        {
            for (var start = 0; start < count; start += chunkVoxels)
            {
                var voxels = Math.Min(chunkVoxels, count - start);
                var chunk = buffer.AsSpan(0, voxels * voxelSize);
                ReadExactly(source, chunk, (long)start * voxelSize);
                if (header.IsBigEndian == BitConverter.IsLittleEndian)
                {
                    VoxelDecoder.SwapInPlace(chunk, type);
                }
                VoxelDecoder.Convert(chunk, type, slope, inter, result.AsSpan(start, voxels));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return result;
    }

    /// <summary>Reads the stored data of a file whose header was read before (a header-only image).</summary>
    internal static byte[] ReadRaw(string path)
    {
        using var source = Open(path);
        return ReadRaw(source);
    }

    private static byte[] ReadRaw(ImageSource source)
    {
        var raw = new byte[source.DataLength];
        ReadExactly(source, raw);
        if (source.Header.IsBigEndian == BitConverter.IsLittleEndian)
        {
            VoxelDecoder.SwapInPlace(raw, source.Header.VoxelType);
        }
        return raw;
    }

    private static void ReadExactly(ImageSource source, Span<byte> destination, long alreadyRead = 0)
    {
        var total = 0;
        try
        {
            while (total < destination.Length)
            {
                var read = source.Data.Read(destination[total..]);
                if (read == 0)
                {
                    throw new InvalidNiftiException(source.DataPath,
                        $"the voxel data end after {alreadyRead + total} of the {source.DataLength} bytes the header declares " +
                        $"({string.Join("x", source.Header.Shape)} {NiftiDataTypes.Name(source.Header.VoxelType)}); the file is truncated");
                }
                total += read;
            }
        }
        catch (InvalidDataException error)
        {
            throw new InvalidNiftiException(source.DataPath, $"the gzip stream is corrupt after {alreadyRead + total} data bytes ({error.Message})", error);
        }
    }

    private static ImageSource Open(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        var (headerPath, dataPath) = PairFiles(fullPath);
        var headerStream = OpenMaybeCompressed(headerPath, out var headerFileLength, out var headerCompressed);
        try
        {
            var header = ReadHeaderFrom(headerPath, headerStream, dataPath is not null, headerFileLength, headerCompressed);
            var dataLength = Validate(headerPath, header);
            if (dataPath is null)
            {
                CheckAvailable(headerPath, header, dataLength, headerFileLength, headerCompressed);
                return new ImageSource(fullPath, headerPath, header, headerStream, dataLength);
            }
            headerStream.Dispose();
            if (!File.Exists(dataPath))
            {
                throw new InvalidNiftiException(headerPath, $"the data file '{System.IO.Path.GetFileName(dataPath)}' of this .hdr/.img pair does not exist");
            }
            var dataStream = OpenMaybeCompressed(dataPath, out var dataFileLength, out var dataCompressed, allowEmpty: dataLength == 0);
            try
            {
                CheckAvailable(dataPath, header, dataLength, dataFileLength, dataCompressed);
                Skip(dataPath, dataStream, header.DataOffset);
                return new ImageSource(fullPath, dataPath, header, dataStream, dataLength);
            }
            catch
            {
                dataStream.Dispose();
                throw;
            }
        }
        catch
        {
            headerStream.Dispose();
            throw;
        }
    }

    /// <summary>For a pair, the header and image file names; for a single file, the file and null.</summary>
    private static (string HeaderPath, string? DataPath) PairFiles(string path)
    {
        string[][] pairs = [[".hdr", ".img"], [".hdr.gz", ".img.gz"], [".HDR", ".IMG"]];
        foreach (var pair in pairs)
        {
            if (path.EndsWith(pair[0], StringComparison.Ordinal))
            {
                return (path, path[..^pair[0].Length] + pair[1]);
            }
            if (path.EndsWith(pair[1], StringComparison.Ordinal))
            {
                return (path[..^pair[1].Length] + pair[0], path);
            }
        }
        return (path, null);
    }

    private static Stream OpenMaybeCompressed(string path, out long fileLength, out bool compressed, bool allowEmpty = false)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, StreamBufferSize, FileOptions.SequentialScan);
        fileLength = file.Length;
        if (fileLength == 0 && !allowEmpty)
        {
            file.Dispose();
            throw new InvalidNiftiException(path, "the file is empty (0 bytes)");
        }
        Span<byte> magic = stackalloc byte[2];
        var read = file.Read(magic);
        file.Position = 0;
        compressed = read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        return compressed ? new BufferedStream(new GZipStream(file, CompressionMode.Decompress), StreamBufferSize) : file;
    }

    private static NiftiHeader ReadHeaderFrom(string path, Stream stream, bool isPair, long fileLength, bool compressed)
    {
        var bytes = new byte[NiftiHeaderCodec.Nifti2Size + NiftiHeaderCodec.ExtenderSize];
        var got = ReadUpTo(path, stream, bytes.AsSpan(0, 4));
        if (got < 4)
        {
            throw new InvalidNiftiException(path, $"the file holds only {got} bytes{(compressed ? " once decompressed" : "")}; a NIfTI header needs 348");
        }
        var (headerSize, bigEndian) = NiftiHeaderCodec.Sniff(path, bytes);
        got += ReadUpTo(path, stream, bytes.AsSpan(4, headerSize - 4));
        if (got < headerSize)
        {
            throw new InvalidNiftiException(path, $"the header is truncated: {got} of {headerSize} bytes{(compressed ? " once decompressed" : $" (file size {fileLength})")}");
        }
        var header = NiftiHeaderCodec.Parse(path, bytes.AsSpan(0, headerSize), bigEndian, isPair);
        if (isPair || header.NiftiVersion == 0)
        {
            return header;
        }
        var position = (long)headerSize;
        var extensions = new List<NiftiExtension>();
        var voxOffset = header.VoxOffset;
        if (voxOffset >= headerSize + NiftiHeaderCodec.ExtenderSize
            && ReadUpTo(path, stream, bytes.AsSpan(0, NiftiHeaderCodec.ExtenderSize)) == NiftiHeaderCodec.ExtenderSize)
        {
            position += NiftiHeaderCodec.ExtenderSize;
            if (bytes[0] != 0)
            {
                ReadExtensions(path, stream, bigEndian, ref position, (long)voxOffset, extensions);
            }
        }
        if (voxOffset >= position)
        {
            Skip(path, stream, (long)voxOffset - position);
        }
        return extensions.Count == 0 ? header : header with { Extensions = extensions };
    }

    private static void ReadExtensions(string path, Stream stream, bool bigEndian, ref long position, long voxOffset, List<NiftiExtension> extensions)
    {
        Span<byte> preamble = stackalloc byte[8];
        while (position + 8 <= voxOffset)
        {
            if (ReadUpTo(path, stream, preamble) < 8)
            {
                throw new InvalidNiftiException(path, $"the file ends inside header extension {extensions.Count + 1}, before vox_offset {voxOffset}");
            }
            var esize = bigEndian ? BinaryPrimitives.ReadInt32BigEndian(preamble) : BinaryPrimitives.ReadInt32LittleEndian(preamble);
            var code = bigEndian ? BinaryPrimitives.ReadInt32BigEndian(preamble[4..]) : BinaryPrimitives.ReadInt32LittleEndian(preamble[4..]);
            if (esize < 16 || position + esize > voxOffset)
            {
                throw new InvalidNiftiException(path,
                    $"header extension {extensions.Count + 1} at byte {position} declares esize {esize}; expected at least 16 and no more than the {voxOffset - position} bytes left before vox_offset {voxOffset}");
            }
            var content = new byte[esize - 8];
            if (ReadUpTo(path, stream, content) < content.Length)
            {
                throw new InvalidNiftiException(path, $"the file ends inside header extension {extensions.Count + 1} (code {code}, esize {esize})");
            }
            extensions.Add(new NiftiExtension(code, esize, content));
            position += esize;
        }
    }

    /// <summary>Checks the header describes an image this reader can hold; returns the data length in bytes.</summary>
    private static long Validate(string path, NiftiHeader header)
    {
        var rank = header.Dim[0];
        if (rank is < 1 or > 7)
        {
            throw new InvalidNiftiException(path, $"dim[0] is {rank}; expected the number of dimensions, 1 to 7");
        }
        for (var axis = 1; axis <= rank; axis++)
        {
            if (header.Dim[axis] < 1)
            {
                throw new InvalidNiftiException(path, $"dim[{axis}] is {header.Dim[axis]}; every dimension up to dim[0] = {rank} must be at least 1");
            }
            if (header.Dim[axis] > int.MaxValue)
            {
                throw new InvalidNiftiException(path, $"dim[{axis}] is {header.Dim[axis]}, larger than an image this reader can hold");
            }
        }
        var type = header.VoxelType;
        var voxelSize = NiftiDataTypes.BytesPerVoxel(type);
        if (voxelSize == 0)
        {
            var known = Enum.IsDefined(type) ? $" ({NiftiDataTypes.Name(type)}), which this reader does not support" : ", which is not a NIfTI datatype code";
            throw new InvalidNiftiException(path, $"datatype is {header.Datatype}{known}");
        }
        var voxOffset = header.VoxOffset;
        var minimum = header.IsPair ? 0 : header.SizeofHdr;
        if (!double.IsFinite(voxOffset) || voxOffset < minimum || voxOffset != Math.Floor(voxOffset))
        {
            throw new InvalidNiftiException(path, $"vox_offset is {voxOffset}; expected a whole number of bytes of at least {minimum}");
        }
        var (slope, inter) = (header.SclSlope, header.SclInter);
        if (header.NiftiVersion > 0 && slope != 0 && double.IsFinite(slope) && !double.IsFinite(inter))
        {
            throw new InvalidNiftiException(path, $"scl_slope is {slope} but scl_inter is {inter}; a valid slope needs a finite intercept");
        }
        long bytes;
        try
        {
            bytes = checked(header.VoxelCount * voxelSize);
        }
        catch (OverflowException)
        {
            throw new InvalidNiftiException(path, $"the shape {string.Join("x", header.Shape)} holds more voxels than any file can");
        }
        if (bytes > Array.MaxLength)
        {
            throw new InvalidNiftiException(path,
                $"the shape {string.Join("x", header.Shape)} of {NiftiDataTypes.Name(type)} needs {bytes} bytes, more than the {Array.MaxLength} one image may have here");
        }
        return bytes;
    }

    /// <summary>Rejects a header that claims more data than the file can hold, before any allocation.</summary>
    private static void CheckAvailable(string path, NiftiHeader header, long dataLength, long fileLength, bool compressed)
    {
        var offset = header.DataOffset;
        if (compressed)
        {
            var ceiling = fileLength * MaxDeflateRatio + 1024;
            if (offset + dataLength > ceiling)
            {
                throw new InvalidNiftiException(path,
                    $"the header declares {dataLength} data bytes after vox_offset {offset}, more than a {fileLength}-byte gzip file can hold (at most about {ceiling})");
            }
            return;
        }
        if (offset > fileLength)
        {
            throw new InvalidNiftiException(path, $"vox_offset {offset} is past the end of the file ({fileLength} bytes)");
        }
        if (offset + dataLength > fileLength)
        {
            throw new InvalidNiftiException(path,
                $"the data are truncated: the header declares {dataLength} bytes ({string.Join("x", header.Shape)} {NiftiDataTypes.Name(header.VoxelType)}) from vox_offset {offset}, but the file has only {fileLength - offset}");
        }
    }

    private static int ReadUpTo(string path, Stream stream, Span<byte> destination)
    {
        try
        {
            var total = 0;
            while (total < destination.Length)
            {
                var read = stream.Read(destination[total..]);
                if (read == 0)
                {
                    break;
                }
                total += read;
            }
            return total;
        }
        catch (InvalidDataException error)
        {
            throw new InvalidNiftiException(path, $"the gzip stream is corrupt ({error.Message})", error);
        }
    }

    private static void Skip(string path, Stream stream, long count)
    {
        if (stream.CanSeek)
        {
            stream.Seek(count, SeekOrigin.Current);
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(StreamBufferSize);
        try
        {
            while (count > 0)
            {
                var read = ReadUpTo(path, stream, buffer.AsSpan(0, (int)Math.Min(buffer.Length, count)));
                if (read == 0)
                {
                    throw new InvalidNiftiException(path, $"the file ends {count} bytes before vox_offset");
                }
                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>An opened image: its header and the stream positioned at the first voxel.</summary>
    private sealed class ImageSource(string path, string dataPath, NiftiHeader header, Stream data, long dataLength) : IDisposable
    {
        public string Path { get; } = path;
        public string DataPath { get; } = dataPath;
        public NiftiHeader Header { get; } = header;
        public Stream Data { get; } = data;
        public long DataLength { get; } = dataLength;

        public void Dispose()
        {
            Data.Dispose();
        }
    }
}
