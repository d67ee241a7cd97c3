using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Imaging;

/// <summary>
/// Reads NIfTI-1, NIfTI-2 and ANALYZE 7.5 images: single <c>.nii</c> files and <c>.hdr/.img</c> pairs,
/// gzip-compressed or not (told by the gzip magic, not the name), either byte order. Every size the header
/// claims is checked against what the file can hold before anything is allocated; a gzip file's buffers grow
/// with the data it really holds, and every gzip member read is checked to its end (CRC-32 and length).
/// Only regular files are opened, and one image's voxels stay within <see cref="NiftiReadOptions.MaxImageBytes"/>.
/// </summary>
public static class NiftiReader
{
    /// <summary>deflate cannot expand data more than about 1032:1; a header claiming more is lying.</summary>
    private const long MaxDeflateRatio = 1032;

    private const int StreamBufferSize = 1 << 16;

    /// <summary>A gzip file's buffers start at this many times its compressed size (typical images compress 2-5x).</summary>
    private const long CompressedGrowthStart = 4;

    /// <summary>Reads the header (and extensions) only; the data are read when first asked for, within the same ceiling.</summary>
    public static NiftiImage ReadHeader(string path, NiftiReadOptions? options = null)
    {
        options ??= NiftiReadOptions.FromEnvironment();
        using var source = Open(path);
        return new NiftiImage(source.Path, source.Header, null, options);
    }

    /// <summary>Reads header and data; the data are kept as stored values in this machine's byte order.</summary>
    public static NiftiImage Read(string path, NiftiReadOptions? options = null)
    {
        options ??= NiftiReadOptions.FromEnvironment();
        using var source = Open(path);
        return new NiftiImage(source.Path, source.Header, ReadRaw(source, options), options);
    }

    /// <summary>
    /// Reads the voxel values straight into a float32 buffer, scaled as nibabel scales them: the fast path for
    /// model inputs (no intermediate copy of the whole volume).
    /// </summary>
    public static float[] ReadSingle(string path, out NiftiHeader header, NiftiReadOptions? options = null)
    {
        options ??= NiftiReadOptions.FromEnvironment();
        using var source = Open(path);
        header = source.Header;
        var type = header.VoxelType;
        if (!NiftiDataTypes.IsScalar(type) && type is not (NiftiDataType.Complex64 or NiftiDataType.Complex128))
        {
            throw new InvalidNiftiException(source.Path, $"{NiftiDataTypes.Name(type)} voxels cannot be read as single numbers");
        }
        var count = header.VoxelCount;
        CheckCeiling(source, count * sizeof(float), "float32 values", options);
        var voxelSize = NiftiDataTypes.BytesPerVoxel(type);
        var result = new GrowingArray<float>(count, source.InitialElements(count, voxelSize));
        var (slope, inter) = header.EffectiveScaling;
        var chunkVoxels = Math.Max(1, StreamBufferSize * 4 / voxelSize);
        if (type == NiftiDataType.Float32 && !header.IsBigEndian == BitConverter.IsLittleEndian && slope == 1 && inter == 0)
        {
            for (long start = 0; start < count; start += chunkVoxels)
            {
                ReadExactly(source, MemoryMarshal.AsBytes(result.Extend((int)Math.Min(chunkVoxels, count - start))), start * voxelSize);
            }
            source.VerifyToEnd();
            return result.ToArray();
        }
        var buffer = ArrayPool<byte>.Shared.Rent(chunkVoxels * voxelSize);
        try
        {
            for (long start = 0; start < count; start += chunkVoxels)
            {
                var voxels = (int)Math.Min(chunkVoxels, count - start);
                var chunk = buffer.AsSpan(0, voxels * voxelSize);
                ReadExactly(source, chunk, start * voxelSize);
                if (header.IsBigEndian == BitConverter.IsLittleEndian)
                {
                    VoxelDecoder.SwapInPlace(chunk, type);
                }
                VoxelDecoder.Convert(chunk, type, slope, inter, result.Extend(voxels));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        source.VerifyToEnd();
        return result.ToArray();
    }

    /// <summary>Reads the stored data of a file whose header was read before (a header-only image).</summary>
    internal static byte[] ReadRaw(string path, NiftiReadOptions options)
    {
        using var source = Open(path);
        return ReadRaw(source, options);
    }

    private static byte[] ReadRaw(ImageSource source, NiftiReadOptions options)
    {
        CheckCeiling(source, source.DataLength, "stored values", options);
        var raw = new GrowingArray<byte>(source.DataLength, source.InitialElements(source.DataLength, 1));
        const int chunk = StreamBufferSize * 16;
        for (long start = 0; start < source.DataLength; start += chunk)
        {
            ReadExactly(source, raw.Extend((int)Math.Min(chunk, source.DataLength - start)), start);
        }
        source.VerifyToEnd();
        var bytes = raw.ToArray();
        if (source.Header.IsBigEndian == BitConverter.IsLittleEndian)
        {
            VoxelDecoder.SwapInPlace(bytes, source.Header.VoxelType);
        }
        return bytes;
    }

    /// <summary>Refuses an image whose voxels would take more memory than the ceiling, saying how to raise it.</summary>
    private static void CheckCeiling(ImageSource source, long bytes, string form, NiftiReadOptions options)
    {
        if (bytes > options.MaxImageBytes)
        {
            throw new InvalidNiftiException(source.Path,
                $"its {string.Join("x", source.Header.Shape)} {NiftiDataTypes.Name(source.Header.VoxelType)} voxels need {bytes} bytes as {form}, " +
                $"more than the ceiling of {options.MaxImageBytes} bytes per image; raise it with Read-NiftiImage -MaxImageBytes, " +
                $"the environment variable {NiftiReadOptions.MaxImageBytesVariable} (e.g. 16G) or NiftiReadOptions.MaxImageBytes");
        }
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
        var headerFile = OpenMaybeCompressed(headerPath);
        try
        {
            var header = ReadFixedHeader(headerPath, headerFile, dataPath is not null);
            var dataLength = Validate(headerPath, header);
            if (dataPath is null)
            {
                CheckAvailable(headerPath, header, dataLength, headerFile);
                header = ReadExtensions(headerPath, headerFile, header);
                return new ImageSource(fullPath, headerPath, header, headerFile, dataLength);
            }
            // The header file of a pair is read to its end so a corrupt .hdr.gz is refused like a corrupt .nii.gz.
            VerifyToEnd(headerPath, headerFile);
            headerFile.Dispose();
            if (!File.Exists(dataPath))
            {
                throw new InvalidNiftiException(headerPath, $"the data file '{System.IO.Path.GetFileName(dataPath)}' of this .hdr/.img pair does not exist");
            }
            var dataFile = OpenMaybeCompressed(dataPath);
            try
            {
                CheckAvailable(dataPath, header, dataLength, dataFile);
                Skip(dataPath, dataFile.Stream, header.DataOffset);
                return new ImageSource(fullPath, dataPath, header, dataFile, dataLength);
            }
            catch
            {
                dataFile.Dispose();
                throw;
            }
        }
        catch
        {
            headerFile.Dispose();
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

    private static OpenedFile OpenMaybeCompressed(string path)
    {
        if (RegularFile.Defect(path) is { } defect)
        {
            throw new InvalidNiftiException(path, $"the path {defect}");
        }
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        try
        {
            var length = RandomAccess.GetLength(file);
            Span<byte> magic = stackalloc byte[2];
            var compressed = RandomAccess.Read(file, magic, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
            Stream stream = compressed
                ? new BufferedStream(new VerifiedGzipStream(file), StreamBufferSize)
                : new FileStream(file, FileAccess.Read, StreamBufferSize);
            return new OpenedFile(stream, length, compressed);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static NiftiHeader ReadFixedHeader(string path, OpenedFile file, bool isPair)
    {
        var bytes = new byte[NiftiHeaderCodec.Nifti2Size];
        var got = ReadUpTo(path, file.Stream, bytes.AsSpan(0, 4));
        if (got < 4)
        {
            throw new InvalidNiftiException(path, $"the file holds only {got} bytes{(file.Compressed ? " once decompressed" : "")}; a NIfTI header needs 348");
        }
        var (headerSize, bigEndian) = NiftiHeaderCodec.Sniff(path, bytes);
        got += ReadUpTo(path, file.Stream, bytes.AsSpan(4, headerSize - 4));
        if (got < headerSize)
        {
            throw new InvalidNiftiException(path, $"the header is truncated: {got} of {headerSize} bytes{(file.Compressed ? " once decompressed" : $" (file size {file.Length})")}");
        }
        return NiftiHeaderCodec.Parse(path, bytes.AsSpan(0, headerSize), bigEndian, isPair);
    }

    /// <summary>
    /// Reads the extensions of a single NIfTI file (ANALYZE headers come only in pairs; vox_offset already checked against the file) and leaves the stream
    /// at vox_offset. No extension's content is allocated from its esize alone: a gzip file's content grows as it
    /// arrives.
    /// </summary>
    private static NiftiHeader ReadExtensions(string path, OpenedFile file, NiftiHeader header)
    {
        var position = (long)header.SizeofHdr;
        var voxOffset = header.DataOffset;
        var extensions = new List<NiftiExtension>();
        Span<byte> extender = stackalloc byte[NiftiHeaderCodec.ExtenderSize];
        if (voxOffset >= position + NiftiHeaderCodec.ExtenderSize && ReadUpTo(path, file.Stream, extender) == NiftiHeaderCodec.ExtenderSize)
        {
            position += NiftiHeaderCodec.ExtenderSize;
            if (extender[0] != 0)
            {
                ReadExtensions(path, file, header.IsBigEndian, ref position, voxOffset, extensions);
            }
        }
        if (voxOffset >= position)
        {
            Skip(path, file.Stream, voxOffset - position);
        }
        return extensions.Count == 0 ? header : header with { Extensions = extensions };
    }

    private static void ReadExtensions(string path, OpenedFile file, bool bigEndian, ref long position, long voxOffset, List<NiftiExtension> extensions)
    {
        Span<byte> preamble = stackalloc byte[8];
        while (position + 8 <= voxOffset)
        {
            if (ReadUpTo(path, file.Stream, preamble) < 8)
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
            var length = esize - 8;
            var content = new GrowingArray<byte>(length, file.Compressed ? StreamBufferSize : length);
            for (var done = 0; done < length;)
            {
                var chunk = content.Extend(Math.Min(StreamBufferSize, length - done));
                if (ReadUpTo(path, file.Stream, chunk) < chunk.Length)
                {
                    throw new InvalidNiftiException(path, $"the file ends inside header extension {extensions.Count + 1} (code {code}, esize {esize})");
                }
                done += chunk.Length;
            }
            extensions.Add(new NiftiExtension(code, esize, content.ToArray()));
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

    /// <summary>
    /// Rejects a header that claims more than the file can hold, before anything is allocated or read past the
    /// header: vox_offset and the data within the file, or, for gzip, within what deflate can expand it to.
    /// </summary>
    private static void CheckAvailable(string path, NiftiHeader header, long dataLength, OpenedFile file)
    {
        var offset = header.DataOffset;
        if (file.Compressed)
        {
            var ceiling = file.Length * MaxDeflateRatio + 1024;
            if (offset + dataLength > ceiling)
            {
                throw new InvalidNiftiException(path,
                    $"the header declares {dataLength} data bytes after vox_offset {offset}, more than a {file.Length}-byte gzip file can hold (at most about {ceiling})");
            }
            return;
        }
        if (offset > file.Length)
        {
            throw new InvalidNiftiException(path, $"vox_offset {offset} is past the end of the file ({file.Length} bytes)");
        }
        if (offset + dataLength > file.Length)
        {
            throw new InvalidNiftiException(path,
                $"the data are truncated: the header declares {dataLength} bytes ({string.Join("x", header.Shape)} {NiftiDataTypes.Name(header.VoxelType)}) from vox_offset {offset}, but the file has only {file.Length - offset}");
        }
    }

    /// <summary>Decodes a gzip stream to its end so every member's CRC-32 and length are checked; a plain file has nothing to check.</summary>
    private static void VerifyToEnd(string path, OpenedFile file)
    {
        if (!file.Compressed)
        {
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(StreamBufferSize);
        try
        {
            while (ReadUpTo(path, file.Stream, buffer) > 0)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
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

    /// <summary>An opened file: the stream of its (decompressed) content, its size on disk, whether it is gzip.</summary>
    private sealed record OpenedFile(Stream Stream, long Length, bool Compressed) : IDisposable
    {
        public void Dispose() => Stream.Dispose();
    }

    /// <summary>An opened image: its header and the stream positioned at the first voxel.</summary>
    private sealed class ImageSource(string path, string dataPath, NiftiHeader header, OpenedFile data, long dataLength) : IDisposable
    {
        public string Path { get; } = path;
        public string DataPath { get; } = dataPath;
        public NiftiHeader Header { get; } = header;
        public Stream Data => data.Stream;
        public long DataLength { get; } = dataLength;

        /// <summary>
        /// The first allocation for <paramref name="declared"/> elements of <paramref name="storedBytes"/> stored
        /// bytes each: all of them when the file was checked to hold them, else in proportion to the compressed
        /// size, growing as data arrive.
        /// </summary>
        public long InitialElements(long declared, int storedBytes) =>
            data.Compressed ? Math.Min(declared, (data.Length * CompressedGrowthStart + StreamBufferSize) / storedBytes) : declared;

        public void VerifyToEnd() => NiftiReader.VerifyToEnd(DataPath, data);

        public void Dispose() => data.Dispose();
    }
}
