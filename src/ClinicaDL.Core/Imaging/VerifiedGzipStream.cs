using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace ClinicaDL.Core.Imaging;

/// <summary>
/// Decompresses a gzip file member by member and refuses what gzip refuses: a bad header, a member whose CRC-32
/// or length (ISIZE) does not match its data, a stream that ends before a member's end-of-stream marker, and
/// anything but zero padding after the last member. .NET's GZipStream checks a trailer only when read past it
/// and takes a truncated stream for a complete one, so a reader that stops after the voxels it needs would
/// accept corrupt data; this stream fails with <see cref="InvalidDataException"/> as soon as a member ends badly.
/// </summary>
internal sealed class VerifiedGzipStream : Stream
{
    private const int FeedSize = 1 << 16;
    private const byte FlagHeaderCrc = 0x02;
    private const byte FlagExtra = 0x04;
    private const byte FlagName = 0x08;
    private const byte FlagComment = 0x10;
    private const byte ReservedFlags = 0xe0;

    private readonly SafeFileHandle _file;
    private readonly long _length;
    private readonly Crc32 _crc = new();
    private DeflateStream? _inflater;
    private long _position;
    private long _memberStart;
    private long _memberBytes;
    private int _members;
    private bool _ended;

    // The file ranges the inflater was handed last: its member's trailer starts inside the last one.
    private long _previousFeedStart;
    private long _lastFeedStart;
    private long _lastFeedEnd;

    public VerifiedGzipStream(SafeFileHandle file)
    {
        _file = file;
        _length = RandomAccess.GetLength(file);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException("A gzip stream's decompressed length is known only at its end.");

    public override long Position
    {
        get => throw new NotSupportedException("A gzip stream is read forward only.");
        set => throw new NotSupportedException("A gzip stream is read forward only.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        while (!_ended)
        {
            if (_inflater is null && !StartMember())
            {
                _ended = true;
                break;
            }
            int read;
            try
            {
                read = _inflater!.Read(buffer);
            }
            catch (InvalidDataException error)
            {
                // zlib's own words ("unsupported compression method" for a bad block) do not say where.
                throw new InvalidDataException(
                    $"the deflate data of gzip member {_members} (from byte {_memberStart}) are corrupt after {_memberBytes} decompressed bytes", error);
            }
            if (read > 0)
            {
                _crc.Append(buffer[..read]);
                _memberBytes += read;
                return read;
            }
            EndMember();
        }
        return 0;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A gzip stream is read forward only.");

    public override void SetLength(long value) => throw new NotSupportedException("A gzip stream is read only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A gzip stream is read only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inflater?.Dispose();
            _file.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Reads the next member's header; false at the end of the file or of its zero padding.</summary>
    private bool StartMember()
    {
        Span<byte> fixedPart = stackalloc byte[10];
        var got = RandomAccess.Read(_file, fixedPart, _position);
        if (_members > 0 && (got == 0 || IsZeroPaddingFrom(_position)))
        {
            return false;
        }
        if (got < 2 || fixedPart[0] != 0x1f || fixedPart[1] != 0x8b)
        {
            throw new InvalidDataException(_members == 0
                ? "the file does not start with the gzip magic 1f 8b"
                : $"the {_length - _position} bytes after gzip member {_members} (from byte {_position}) are not a gzip member and not zero padding");
        }
        if (got < 10)
        {
            throw Truncated($"inside the header of gzip member {_members + 1}");
        }
        if (fixedPart[2] != 8)
        {
            throw new InvalidDataException($"gzip member {_members + 1} uses compression method {fixedPart[2]}; only 8 (deflate) exists");
        }
        var flags = fixedPart[3];
        if ((flags & ReservedFlags) != 0)
        {
            throw new InvalidDataException($"gzip member {_members + 1} sets reserved header flags (0x{flags:x2})");
        }
        _memberStart = _position;
        var cursor = _position + 10;
        if ((flags & FlagExtra) != 0)
        {
            Span<byte> extraLength = stackalloc byte[2];
            ReadHeaderBytes(extraLength, cursor);
            cursor += 2 + BinaryPrimitives.ReadUInt16LittleEndian(extraLength);
        }
        if ((flags & FlagName) != 0)
        {
            cursor = AfterZeroTerminated(cursor);
        }
        if ((flags & FlagComment) != 0)
        {
            cursor = AfterZeroTerminated(cursor);
        }
        if ((flags & FlagHeaderCrc) != 0)
        {
            CheckHeaderCrc(cursor);
            cursor += 2;
        }
        if (cursor > _length)
        {
            throw Truncated($"inside the header of gzip member {_members + 1}");
        }
        _position = cursor;
        _previousFeedStart = _lastFeedStart = _lastFeedEnd = cursor;
        _crc.Reset();
        _memberBytes = 0;
        _members++;
        _inflater = new DeflateStream(new Feed(this), CompressionMode.Decompress);
        return true;
    }

    /// <summary>
    /// The inflater stopped: at the member's end-of-stream marker, or because the file ended first. The trailer
    /// (CRC-32 and ISIZE, little-endian) follows the compressed data, which end inside the inflater's last feed;
    /// its eight bytes are looked for there, as the inflater does not say how much of that feed it used.
    /// </summary>
    private void EndMember()
    {
        _inflater!.Dispose();
        _inflater = null;
        Span<byte> expected = stackalloc byte[8];
        var crc = _crc.GetCurrentHashAsUInt32();
        BinaryPrimitives.WriteUInt32LittleEndian(expected, crc);
        BinaryPrimitives.WriteUInt32LittleEndian(expected[4..], unchecked((uint)_memberBytes));
        var windowEnd = Math.Min(_length, _lastFeedEnd + 8);
        var window = new byte[windowEnd - _previousFeedStart];
        var got = RandomAccess.Read(_file, window, _previousFeedStart);
        var at = window.AsSpan(0, got).IndexOf(expected);
        if (at >= 0)
        {
            _position = _previousFeedStart + at + 8;
            return;
        }
        if (_lastFeedEnd >= _length && windowEnd - _lastFeedEnd < 8)
        {
            var tail = window.AsSpan(Math.Max(0, got - 8));
            if (tail.Length == 8 && BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]) == unchecked((uint)_memberBytes))
            {
                throw new InvalidDataException(
                    $"gzip member {_members} (from byte {_memberStart}) fails its CRC-32 check: the trailer says 0x{BinaryPrimitives.ReadUInt32LittleEndian(tail):x8}, its {_memberBytes} decompressed bytes give 0x{crc:x8}");
            }
            if (tail.Length == 8 && BinaryPrimitives.ReadUInt32LittleEndian(tail) == crc)
            {
                throw new InvalidDataException(
                    $"gzip member {_members} (from byte {_memberStart}) has the wrong length in its trailer: {BinaryPrimitives.ReadUInt32LittleEndian(tail[4..])}, but it decompresses to {_memberBytes} bytes");
            }
            throw Truncated($"before the end-of-stream marker of gzip member {_members} (from byte {_memberStart}, {_memberBytes} bytes decompressed)");
        }
        throw new InvalidDataException(
            $"gzip member {_members} (from byte {_memberStart}) fails its integrity check: no trailer with the CRC-32 0x{crc:x8} and the length {_memberBytes} of its decompressed data follows its compressed data");
    }

    private InvalidDataException Truncated(string where) =>
        new($"the gzip stream ended {where}: the file ({_length} bytes) is truncated before the end-of-stream marker");

    private bool IsZeroPaddingFrom(long start)
    {
        Span<byte> chunk = stackalloc byte[4096];
        for (var offset = start; offset < _length;)
        {
            var got = RandomAccess.Read(_file, chunk, offset);
            if (got == 0)
            {
                break;
            }
            if (chunk[..got].ContainsAnyExcept((byte)0))
            {
                return false;
            }
            offset += got;
        }
        return true;
    }

    private void ReadHeaderBytes(Span<byte> destination, long offset)
    {
        if (RandomAccess.Read(_file, destination, offset) < destination.Length)
        {
            throw Truncated($"inside the header of gzip member {_members + 1}");
        }
    }

    private long AfterZeroTerminated(long offset)
    {
        Span<byte> chunk = stackalloc byte[256];
        while (true)
        {
            var got = RandomAccess.Read(_file, chunk, offset);
            if (got == 0)
            {
                throw Truncated($"inside the header of gzip member {_members + 1}");
            }
            var end = chunk[..got].IndexOf((byte)0);
            if (end >= 0)
            {
                return offset + end + 1;
            }
            offset += got;
        }
    }

    /// <summary>FHCRC: the low 16 bits of the CRC-32 of the header bytes before it, as zlib checks.</summary>
    private void CheckHeaderCrc(long crcOffset)
    {
        var header = new byte[crcOffset + 2 - _position];
        ReadHeaderBytes(header, _position);
        var expected = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(header.Length - 2));
        var actual = (ushort)Crc32.HashToUInt32(header.AsSpan(0, header.Length - 2));
        if (expected != actual)
        {
            throw new InvalidDataException($"the header of gzip member {_members + 1} fails its CRC-16 check (0x{expected:x4} stored, 0x{actual:x4} computed)");
        }
    }

    /// <summary>Hands the compressed bytes of the current member to the inflater, remembering where each feed lay.</summary>
    private sealed class Feed(VerifiedGzipStream owner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException("The compressed feed is read forward only.");

        public override long Position
        {
            get => throw new NotSupportedException("The compressed feed is read forward only.");
            set => throw new NotSupportedException("The compressed feed is read forward only.");
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var start = owner._lastFeedEnd;
            var got = RandomAccess.Read(owner._file, buffer[..Math.Min(buffer.Length, FeedSize)], start);
            if (got > 0)
            {
                owner._previousFeedStart = owner._lastFeedStart;
                owner._lastFeedStart = start;
                owner._lastFeedEnd = start + got;
            }
            return got;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("The compressed feed is read forward only.");

        public override void SetLength(long value) => throw new NotSupportedException("The compressed feed is read only.");

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The compressed feed is read only.");
    }
}
