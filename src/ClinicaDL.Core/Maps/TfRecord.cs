using System.Buffers.Binary;
using System.Numerics;

namespace ClinicaDL.Core.Maps;

/// <summary>
/// TensorFlow's record framing, the container of TensorBoard's event files: the payload's length as a little-endian
/// uint64, the masked CRC-32C of those 8 bytes, the payload, the masked CRC-32C of the payload (both CRCs little-endian
/// uint32). TensorBoard skips a record whose CRC does not match, so the CRCs must be exact.
/// </summary>
internal static class TfRecord
{
    /// <summary>Appends one framed record to a stream.</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc32C(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc32C(payload));
        stream.Write(header);
        stream.Write(payload);
        stream.Write(footer);
    }

    /// <summary>
    /// TensorFlow stores CRCs rotated and offset, because a CRC computed over data that itself contains CRCs is
    /// weak (tensorflow/core/lib/hash/crc32c.h, Mask).
    /// </summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);
    }

    /// <summary>
    /// CRC-32C (Castagnoli) with the usual initial value and final inversion. BitOperations.Crc32C is the bare
    /// accumulation step (SSE 4.2 / ARMv8 instruction where present), so the inversions are ours.
    /// </summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        var words = data.Length / 8;
        for (var i = 0; i < words; i++)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i * 8, 8)));
        }
        foreach (var b in data[(words * 8)..])
        {
            crc = BitOperations.Crc32C(crc, b);
        }
        return ~crc;
    }
}
