using System.Buffers.Binary;

namespace ClinicaDL.Core.Tests.Fuzz;

/// <summary>
/// Seeded mutations of a file's bytes, in the ways fuzzers find bugs: flipped bits, interesting integers and
/// floats written over fields (the header fields first), cut, repeated or removed ranges. Each mutation says
/// what it did, so a failure can be reproduced from its seed and described.
/// </summary>
internal sealed class Mutator(int seed, IReadOnlyList<int>? fieldOffsets = null)
{
    private static readonly long[] Integers =
        [0, 1, -1, 2, 7, 8, 16, 127, 128, 255, 256, 348, 352, 540, 32767, -32768, 65535, int.MaxValue, int.MinValue, int.MaxValue - 7, 1L << 31, 1L << 40, long.MaxValue];

    private static readonly double[] Floats = [0, -0.0, 1, -1, 352, 1e9, 4e9, 1e30, float.MaxValue, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e-40];

    private readonly Random _random = new(seed);

    /// <summary>One to four mutations of a copy of <paramref name="source"/>, and what they were.</summary>
    public (byte[] Bytes, string Description) Mutate(byte[] source)
    {
        var bytes = source.ToList();
        var steps = new List<string>();
        for (var count = _random.Next(1, 5); count > 0 && bytes.Count > 0; count--)
        {
            steps.Add(MutateOnce(bytes));
        }
        return (bytes.ToArray(), string.Join("; ", steps));
    }

    private string MutateOnce(List<byte> bytes)
    {
        var offset = Offset(bytes.Count);
        switch (_random.Next(8))
        {
            case 0:
                var bit = _random.Next(8);
                bytes[offset] ^= (byte)(1 << bit);
                return $"flip bit {bit} of byte {offset}";
            case 1:
                var value = (byte)_random.Next(256);
                bytes[offset] = value;
                return $"byte {offset} = {value}";
            case 2:
            case 3:
                var integer = Integers[_random.Next(Integers.Length)];
                var width = new[] { 2, 4, 8 }[_random.Next(3)];
                return Overwrite(bytes, offset, width, w => WriteInteger(w, integer), $"int{width * 8} {integer}");
            case 4:
                var real = Floats[_random.Next(Floats.Length)];
                var size = _random.Next(2) == 0 ? 4 : 8;
                return Overwrite(bytes, offset, size, w => WriteFloat(w, real), $"float{size * 8} {real}");
            case 5:
                var keep = _random.Next(bytes.Count);
                bytes.RemoveRange(keep, bytes.Count - keep);
                return $"cut to {keep} bytes";
            case 6:
                var length = Math.Min(bytes.Count - offset, _random.Next(1, 64));
                bytes.InsertRange(offset, bytes.GetRange(offset, length));
                return $"repeat {length} bytes at {offset}";
            default:
                var removed = Math.Min(bytes.Count - offset, _random.Next(1, 64));
                bytes.RemoveRange(offset, removed);
                return $"remove {removed} bytes at {offset}";
        }
    }

    /// <summary>Half the time a known field offset (where a wrong value does the most harm), else anywhere.</summary>
    private int Offset(int length)
    {
        if (fieldOffsets is { Count: > 0 } && _random.Next(2) == 0)
        {
            var field = fieldOffsets[_random.Next(fieldOffsets.Count)];
            if (field < length)
            {
                return field;
            }
        }
        return _random.Next(length);
    }

    private string Overwrite(List<byte> bytes, int offset, int width, Action<Span<byte>> write, string what)
    {
        Span<byte> value = stackalloc byte[8];
        write(value[..width]);
        if (_random.Next(4) == 0)
        {
            value[..width].Reverse();
            what += " big-endian";
        }
        for (var i = 0; i < width && offset + i < bytes.Count; i++)
        {
            bytes[offset + i] = value[i];
        }
        return $"{what} at {offset}";
    }

    private static void WriteInteger(Span<byte> target, long value)
    {
        switch (target.Length)
        {
            case 2: BinaryPrimitives.WriteInt16LittleEndian(target, unchecked((short)value)); break;
            case 4: BinaryPrimitives.WriteInt32LittleEndian(target, unchecked((int)value)); break;
            default: BinaryPrimitives.WriteInt64LittleEndian(target, value); break;
        }
    }

    private static void WriteFloat(Span<byte> target, double value)
    {
        if (target.Length == 4)
        {
            BinaryPrimitives.WriteSingleLittleEndian(target, (float)value);
        }
        else
        {
            BinaryPrimitives.WriteDoubleLittleEndian(target, value);
        }
    }
}
