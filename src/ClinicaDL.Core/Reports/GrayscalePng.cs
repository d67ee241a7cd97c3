using System.Buffers.Binary;
using System.IO.Compression;
using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Reports;

/// <summary>
/// Writes 8-bit grayscale PNG files (one IHDR, one zlib IDAT, IEND): enough for slice pictures without a
/// native imaging library in the engine.
/// </summary>
public static class GrayscalePng
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a];

    /// <summary>Writes <paramref name="pixels"/> (row by row, top row first) atomically.</summary>
    public static void Write(string path, int width, int height, ReadOnlySpan<byte> pixels)
    {
        if (pixels.Length != width * height)
        {
            throw new ArgumentException($"{pixels.Length} pixels for a {width}x{height} image.", nameof(pixels));
        }
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 0; // grayscale
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var row = 0; row < height; row++)
            {
                zlib.WriteByte(0); // filter: none
                zlib.Write(pixels.Slice(row * width, width));
            }
        }
        using var file = AtomicFile.Create(path);
        file.Stream.Write(Signature);
        Chunk(file.Stream, "IHDR", header);
        Chunk(file.Stream, "IDAT", compressed.ToArray());
        Chunk(file.Stream, "IEND", []);
        file.Commit();
    }

    private static void Chunk(Stream stream, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        Span<byte> checksum = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(checksum, ~Crc(Crc(0xffffffffu, typeBytes), data));
        stream.Write(checksum);
    }

    /// <summary>The CRC-32 of PNG chunks (ISO 3309, reflected polynomial 0xedb88320), bit by bit: chunks are few.</summary>
    private static uint Crc(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? 0xedb88320u ^ (crc >> 1) : crc >> 1;
            }
        }
        return crc;
    }
}
