using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace ClinicaDL.Core.Conversion;

/// <summary>
/// The few DICOM header fields a conversion groups and names series by (series and study, patient, dates), read
/// from a Part 10 file ("DICM" after the 128-byte preamble). This is not a decoder: pixel data are left to
/// dcm2niix. The walk goes over every element up to the pixel data only to check that each length fits in the
/// file, because dcm2niix converts a truncated file without complaint (the missing slices become zeros).
/// </summary>
public sealed class DicomHeader
{
    private const uint Undefined = 0xFFFFFFFF;
    private const uint PixelData = 0x7FE00010;
    private const uint Item = 0xFFFEE000;
    private const uint ItemEnd = 0xFFFEE00D;
    private const uint SequenceEnd = 0xFFFEE0DD;

    private static readonly Dictionary<uint, string> Wanted = new()
    {
        [0x00020010] = nameof(TransferSyntaxUid),
        [0x00080020] = nameof(StudyDate),
        [0x00080030] = nameof(StudyTime),
        [0x00080060] = nameof(Modality),
        [0x0008103E] = nameof(SeriesDescription),
        [0x00100010] = nameof(PatientName),
        [0x00100020] = nameof(PatientId),
        [0x00100030] = nameof(PatientBirthDate),
        [0x00100040] = nameof(PatientSex),
        [0x00101010] = nameof(PatientAge),
        [0x00181030] = nameof(ProtocolName),
        [0x0020000D] = nameof(StudyInstanceUid),
        [0x0020000E] = nameof(SeriesInstanceUid),
        [0x00200011] = nameof(SeriesNumber),
    };

    private readonly Dictionary<string, string> _values;

    private DicomHeader(string path, Dictionary<string, string> values, bool hasPixelData)
    {
        Path = path;
        _values = values;
        HasPixelData = hasPixelData;
    }

    public string Path { get; }

    /// <summary>Whether the file holds an image (a DICOMDIR, a report or a presentation state does not).</summary>
    public bool HasPixelData { get; }

    public string? TransferSyntaxUid => Value(nameof(TransferSyntaxUid));
    public string? StudyDate => Value(nameof(StudyDate));
    public string? StudyTime => Value(nameof(StudyTime));
    public string? Modality => Value(nameof(Modality));
    public string? SeriesDescription => Value(nameof(SeriesDescription));
    public string? PatientName => Value(nameof(PatientName));
    public string? PatientId => Value(nameof(PatientId));
    public string? PatientBirthDate => Value(nameof(PatientBirthDate));
    public string? PatientSex => Value(nameof(PatientSex));
    public string? PatientAge => Value(nameof(PatientAge));
    public string? ProtocolName => Value(nameof(ProtocolName));
    public string? StudyInstanceUid => Value(nameof(StudyInstanceUid));
    public string? SeriesInstanceUid => Value(nameof(SeriesInstanceUid));
    public int? SeriesNumber => int.TryParse(Value(nameof(SeriesNumber)), out var number) ? number : null;

    private string? Value(string name) => _values.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    /// <summary>Whether the file starts as a DICOM Part 10 file does (128 bytes, then "DICM").</summary>
    public static bool IsDicom(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            Span<byte> start = stackalloc byte[132];
            return stream.ReadAtLeast(start, 132, throwOnEndOfStream: false) == 132 && start[128..].SequenceEqual("DICM"u8);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Reads the header of a DICOM Part 10 file; a file that claims to be DICOM but cannot be walked is <see cref="CorruptDicomException"/>.</summary>
    public static DicomHeader Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 14);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var meta = new ElementReader(file, explicitVr: true, bigEndian: false, path);
            meta.Skip(128);
            Span<byte> magic = stackalloc byte[4];
            meta.ReadExactly(magic);
            if (!magic.SequenceEqual("DICM"u8))
            {
                throw new CorruptDicomException(path, "it has no \"DICM\" marker after the 128-byte preamble");
            }
            // File meta information: always explicit VR little endian, group 0002 only.
            while (meta.Remaining > 0 && meta.PeekGroup() == 0x0002)
            {
                meta.Walk(values, depth: 0, out _);
            }
            var syntax = values.GetValueOrDefault(nameof(TransferSyntaxUid)) ?? throw new CorruptDicomException(path, "its file meta information has no transfer syntax (0002,0010)");
            var reader = syntax switch
            {
                "1.2.840.10008.1.2" => new ElementReader(file, explicitVr: false, bigEndian: false, path),
                "1.2.840.10008.1.2.2" => new ElementReader(file, explicitVr: true, bigEndian: true, path),
                "1.2.840.10008.1.2.1.99" => new ElementReader(new DeflateStream(file, CompressionMode.Decompress, leaveOpen: true), explicitVr: true, bigEndian: false, path),
                // Every other syntax (the compressed ones included) encodes the data set as explicit VR little endian.
                _ => new ElementReader(file, explicitVr: true, bigEndian: false, path),
            };
            var hasPixelData = false;
            while (!reader.AtEnd())
            {
                if (reader.Walk(values, depth: 0, out var tag) && tag == PixelData)
                {
                    hasPixelData = true;
                    break;
                }
            }
            return new DicomHeader(path, values, hasPixelData);
        }
        catch (CorruptDicomException error) when (error.SeriesInstanceUid is null && values.ContainsKey(nameof(SeriesInstanceUid)))
        {
            throw new CorruptDicomException(path, error.Reason, values[nameof(SeriesInstanceUid)]);
        }
        catch (EndOfStreamException)
        {
            throw new CorruptDicomException(path, "it ends in the middle of its header (the file is truncated)", values.GetValueOrDefault(nameof(SeriesInstanceUid)));
        }
        catch (InvalidDataException error)
        {
            throw new CorruptDicomException(path, $"its deflated data set cannot be read ({error.Message})");
        }
    }

    /// <summary>Reads data elements of one encoding, checking that each length fits in what the file holds.</summary>
    private sealed class ElementReader(Stream stream, bool explicitVr, bool bigEndian, string path)
    {
        private readonly byte[] _buffer = new byte[8];
        private int _peeked = -1;

        public long Remaining => stream.CanSeek ? stream.Length - stream.Position : long.MaxValue;

        public bool AtEnd()
        {
            if (stream.CanSeek)
            {
                return stream.Position >= stream.Length;
            }
            if (_peeked >= 0)
            {
                return false;
            }
            _peeked = stream.ReadByte();
            return _peeked < 0;
        }

        public ushort PeekGroup()
        {
            var position = stream.Position;
            var group = ReadUInt16(littleEndian: true);
            stream.Position = position;
            return group;
        }

        public void ReadExactly(Span<byte> destination)
        {
            if (destination.Length == 0)
            {
                return;
            }
            var offset = 0;
            if (_peeked >= 0)
            {
                destination[0] = (byte)_peeked;
                _peeked = -1;
                offset = 1;
            }
            stream.ReadExactly(destination[offset..]);
        }

        public void Skip(long count)
        {
            if (count > Remaining)
            {
                throw new CorruptDicomException(path, $"an element claims {count} bytes but only {Remaining} remain (the file is truncated)");
            }
            if (stream.CanSeek)
            {
                stream.Seek(count, SeekOrigin.Current);
                return;
            }
            var scratch = new byte[Math.Min(count, 1 << 16)];
            while (count > 0)
            {
                var chunk = (int)Math.Min(count, scratch.Length);
                ReadExactly(scratch.AsSpan(0, chunk));
                count -= chunk;
            }
        }

        /// <summary>Reads one element (and everything nested in it), keeping the wanted values; false for a delimiter.</summary>
        public bool Walk(Dictionary<string, string> values, int depth, out uint tag)
        {
            var group = ReadUInt16(!bigEndian);
            var element = ReadUInt16(!bigEndian);
            tag = ((uint)group << 16) | element;
            if (group == 0xFFFE)
            {
                // Item and delimiters have no VR in any encoding, and a 4-byte length.
                var itemLength = ReadUInt32(!bigEndian);
                if (tag == Item)
                {
                    WalkValue(values, depth, "SQ", itemLength, isItem: true);
                }
                return tag == Item;
            }
            string vr;
            uint length;
            if (explicitVr || group == 0x0002)
            {
                ReadExactly(_buffer.AsSpan(0, 2));
                vr = Encoding.ASCII.GetString(_buffer, 0, 2);
                if (vr is "OB" or "OD" or "OF" or "OL" or "OV" or "OW" or "SQ" or "SV" or "UC" or "UN" or "UR" or "UT" or "UV")
                {
                    Skip(2);
                    length = ReadUInt32(!bigEndian);
                }
                else
                {
                    length = ReadUInt16(!bigEndian);
                }
            }
            else
            {
                length = ReadUInt32(!bigEndian);
                vr = length == Undefined ? "SQ" : "";
            }
            if (tag == PixelData)
            {
                CheckPixelData(length);
                return true;
            }
            if (depth == 0 && length != Undefined && Wanted.TryGetValue(tag, out var name))
            {
                if (length > Remaining)
                {
                    throw new CorruptDicomException(path, $"element ({group:X4},{element:X4}) claims {length} bytes but only {Remaining} remain (the file is truncated)");
                }
                var bytes = new byte[length];
                ReadExactly(bytes);
                values[name] = Encoding.Latin1.GetString(bytes).TrimEnd('\0', ' ').TrimStart(' ');
                return true;
            }
            WalkValue(values, depth, vr, length, isItem: false);
            return true;
        }

        private void WalkValue(Dictionary<string, string> values, int depth, string vr, uint length, bool isItem)
        {
            if (length != Undefined)
            {
                Skip(length);
                return;
            }
            if (depth > 32)
            {
                throw new CorruptDicomException(path, "its sequences are nested more than 32 deep");
            }
            // An undefined length: a sequence (of items) or an item (of elements), each ending with its delimiter.
            // UN with an undefined length holds an implicit VR little endian sequence.
            var inner = vr == "UN" ? new ElementReader(stream, explicitVr: false, bigEndian: false, path) : this;
            while (true)
            {
                if (!inner.Walk(values, depth + 1, out var tag) && (tag == SequenceEnd || (isItem && tag == ItemEnd)))
                {
                    return;
                }
            }
        }

        /// <summary>Native pixel data must fit in the file; encapsulated (compressed) frames must each fit and be delimited.</summary>
        private void CheckPixelData(uint length)
        {
            if (length != Undefined)
            {
                if (length > Remaining)
                {
                    throw new CorruptDicomException(path, $"its pixel data claim {length} bytes but only {Remaining} remain (the file is truncated)");
                }
                return;
            }
            while (true)
            {
                var group = ReadUInt16(!bigEndian);
                var element = ReadUInt16(!bigEndian);
                var tag = ((uint)group << 16) | element;
                var fragment = ReadUInt32(!bigEndian);
                if (tag == SequenceEnd)
                {
                    return;
                }
                if (tag != Item || fragment == Undefined)
                {
                    throw new CorruptDicomException(path, $"its compressed pixel data hold an unexpected element ({group:X4},{element:X4})");
                }
                Skip(fragment);
            }
        }

        private ushort ReadUInt16(bool littleEndian)
        {
            ReadExactly(_buffer.AsSpan(0, 2));
            return littleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(_buffer) : BinaryPrimitives.ReadUInt16BigEndian(_buffer);
        }

        private uint ReadUInt32(bool littleEndian)
        {
            ReadExactly(_buffer.AsSpan(0, 4));
            return littleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(_buffer) : BinaryPrimitives.ReadUInt32BigEndian(_buffer);
        }
    }
}
