using System.Buffers.Binary;
using Google.Protobuf;

namespace ClinicaDL.Core.Tests.Maps;

/// <summary>One decoded Event: its time, step, the file_version of a file's first event, and its scalars in order.</summary>
internal sealed record TensorBoardEvent(double WallTime, long Step, string? FileVersion, IReadOnlyList<(string Tag, float Value)> Scalars);

/// <summary>
/// Reads an event file as TensorBoard does, independently of the writer: TFRecord framing with both CRCs checked
/// (its own bitwise CRC-32C, not the engine's), then Event and Summary decoded with protobuf's CodedInputStream.
/// Fails on a bad CRC, a record cut short, or a field the writer should not produce.
/// </summary>
internal static class TensorBoardEventFile
{
    public static IReadOnlyList<TensorBoardEvent> Read(string path) => Parse(File.ReadAllBytes(path), path);

    public static IReadOnlyList<TensorBoardEvent> Parse(byte[] bytes, string name)
    {
        var events = new List<TensorBoardEvent>();
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (bytes.Length - offset < 12)
            {
                throw new InvalidDataException($"{name}: a record header cut short at byte {offset}.");
            }
            var header = bytes.AsSpan(offset, 8);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8, 4)) != MaskedCrc32C(header))
            {
                throw new InvalidDataException($"{name}: the length CRC of the record at byte {offset} does not match.");
            }
            var length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(header));
            if (bytes.Length - offset - 12 < length + 4)
            {
                throw new InvalidDataException($"{name}: the record at byte {offset} is cut short.");
            }
            var payload = bytes.AsSpan(offset + 12, length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 12 + length, 4)) != MaskedCrc32C(payload))
            {
                throw new InvalidDataException($"{name}: the payload CRC of the record at byte {offset} does not match.");
            }
            events.Add(DecodeEvent(payload.ToArray()));
            offset += 12 + length + 4;
        }
        return events;
    }

    private static TensorBoardEvent DecodeEvent(byte[] payload)
    {
        var input = new CodedInputStream(payload);
        var (wallTime, step, fileVersion, scalars) = (0.0, 0L, (string?)null, new List<(string, float)>());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (tag)
            {
                case (1 << 3) | (uint)WireFormat.WireType.Fixed64: wallTime = input.ReadDouble(); break;
                case (2 << 3) | (uint)WireFormat.WireType.Varint: step = input.ReadInt64(); break;
                case (3 << 3) | (uint)WireFormat.WireType.LengthDelimited: fileVersion = input.ReadString(); break;
                case (5 << 3) | (uint)WireFormat.WireType.LengthDelimited: scalars.AddRange(DecodeSummary(input.ReadBytes())); break;
                default: throw new InvalidDataException($"Unexpected Event field tag {tag}.");
            }
        }
        return new TensorBoardEvent(wallTime, step, fileVersion, scalars);
    }

    private static IEnumerable<(string, float)> DecodeSummary(ByteString summary)
    {
        var input = summary.CreateCodedInput();
        var values = new List<(string, float)>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (tag != ((1 << 3) | (uint)WireFormat.WireType.LengthDelimited))
            {
                throw new InvalidDataException($"Unexpected Summary field tag {tag}.");
            }
            var value = input.ReadBytes().CreateCodedInput();
            var (name, simple) = ((string?)null, (float?)null);
            uint field;
            while ((field = value.ReadTag()) != 0)
            {
                switch (field)
                {
                    case (1 << 3) | (uint)WireFormat.WireType.LengthDelimited: name = value.ReadString(); break;
                    case (2 << 3) | (uint)WireFormat.WireType.Fixed32: simple = value.ReadFloat(); break;
                    default: throw new InvalidDataException($"Unexpected Summary.Value field tag {field}.");
                }
            }
            values.Add((name ?? throw new InvalidDataException("A Summary.Value without a tag."),
                simple ?? throw new InvalidDataException($"The Summary.Value '{name}' has no simple_value.")));
        }
        return values;
    }

    private static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);
    }

    /// <summary>Bit by bit with the reflected Castagnoli polynomial: slow and plainly right.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }
        return ~crc;
    }
}
