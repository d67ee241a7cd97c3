using System.Buffers.Binary;
using System.Text;

namespace ClinicaDL.Core.Imaging;

/// <summary>
/// The binary layouts of the NIfTI-1 (348 bytes), NIfTI-2 (540 bytes) and ANALYZE 7.5 (348 bytes) headers.
/// Byte order is told by <c>sizeof_hdr</c>, as nibabel does, so a header with a bad <c>dim[0]</c> is still
/// read and then rejected with a precise message.
/// </summary>
internal static class NiftiHeaderCodec
{
    public const int Nifti1Size = 348;
    public const int Nifti2Size = 540;

    /// <summary>Bytes after the header proper that hold the extension flag (NIfTI-1: 348..351; NIfTI-2: 540..543).</summary>
    public const int ExtenderSize = 4;

    /// <summary>Decides the header kind and byte order from the first four bytes.</summary>
    public static (int HeaderSize, bool BigEndian) Sniff(string path, ReadOnlySpan<byte> first4)
    {
        var little = BinaryPrimitives.ReadInt32LittleEndian(first4);
        var big = BinaryPrimitives.ReadInt32BigEndian(first4);
        return (little, big) switch
        {
            (Nifti1Size, _) => (Nifti1Size, false),
            (_, Nifti1Size) => (Nifti1Size, true),
            (Nifti2Size, _) => (Nifti2Size, false),
            (_, Nifti2Size) => (Nifti2Size, true),
            _ => throw new InvalidNiftiException(path,
                $"sizeof_hdr is {little} (byte-swapped {big}); expected 348 (NIfTI-1/ANALYZE) or 540 (NIfTI-2)"),
        };
    }

    public static NiftiHeader Parse(string path, ReadOnlySpan<byte> header, bool bigEndian, bool isPair)
    {
        var reader = new EndianReader(header, bigEndian);
        return header.Length == Nifti2Size ? ParseNifti2(path, reader, isPair) : ParseNifti1(path, reader, isPair);
    }

    private static NiftiHeader ParseNifti1(string path, EndianReader r, bool isPair)
    {
        var magic = r.CString(344, 4);
        var version = magic switch
        {
            "n+1" when !isPair => 1,
            "ni1" when isPair => 1,
            "" when isPair => 0,
            "n+1" or "ni1" => throw new InvalidNiftiException(path,
                $"magic '{magic}' says {(magic == "ni1" ? "a .hdr/.img pair" : "a single .nii file")}, but the file is {(isPair ? "a .hdr" : "a single file")}"),
            _ => throw new InvalidNiftiException(path,
                $"magic is '{Printable(r.Bytes(344, 4))}'; expected 'n+1' (single file) or 'ni1' (.hdr/.img pair)"),
        };
        var dim = new long[8];
        var pixdim = new double[8];
        for (var i = 0; i < 8; i++)
        {
            dim[i] = r.Int16(40 + 2 * i);
            pixdim[i] = r.Single(76 + 4 * i);
        }
        if (version == 0)
        {
            return new NiftiHeader
            {
                NiftiVersion = 0, IsBigEndian = r.BigEndian, IsPair = true, SizeofHdr = r.Int32(0), Magic = "",
                Dim = dim, Datatype = r.Int16(70), Bitpix = r.Int16(72), Pixdim = pixdim, VoxOffset = r.Single(108),
                SclSlope = r.Single(112), CalMax = r.Single(124), CalMin = r.Single(128),
                Descrip = r.CString(148, 80), AuxFile = r.CString(228, 24),
                AnalyzeOrigin = [r.Int16(253), r.Int16(255), r.Int16(257)],
                SrowX = new double[4], SrowY = new double[4], SrowZ = new double[4],
            };
        }
        return new NiftiHeader
        {
            NiftiVersion = 1,
            IsBigEndian = r.BigEndian,
            IsPair = isPair,
            SizeofHdr = r.Int32(0),
            Magic = magic,
            DimInfo = r.Byte(39),
            Dim = dim,
            IntentP1 = r.Single(56),
            IntentP2 = r.Single(60),
            IntentP3 = r.Single(64),
            IntentCode = r.Int16(68),
            Datatype = r.Int16(70),
            Bitpix = r.Int16(72),
            SliceStart = r.Int16(74),
            Pixdim = pixdim,
            VoxOffset = r.Single(108),
            SclSlope = r.Single(112),
            SclInter = r.Single(116),
            SliceEnd = r.Int16(120),
            SliceCode = r.Byte(122),
            XyztUnits = r.Byte(123),
            CalMax = r.Single(124),
            CalMin = r.Single(128),
            SliceDuration = r.Single(132),
            Toffset = r.Single(136),
            Descrip = r.CString(148, 80),
            AuxFile = r.CString(228, 24),
            QformCode = r.Int16(252),
            SformCode = r.Int16(254),
            QuaternB = r.Single(256),
            QuaternC = r.Single(260),
            QuaternD = r.Single(264),
            QoffsetX = r.Single(268),
            QoffsetY = r.Single(272),
            QoffsetZ = r.Single(276),
            SrowX = [r.Single(280), r.Single(284), r.Single(288), r.Single(292)],
            SrowY = [r.Single(296), r.Single(300), r.Single(304), r.Single(308)],
            SrowZ = [r.Single(312), r.Single(316), r.Single(320), r.Single(324)],
            IntentName = r.CString(328, 16),
        };
    }

    private static NiftiHeader ParseNifti2(string path, EndianReader r, bool isPair)
    {
        var magic = r.CString(4, 8);
        var expected = isPair ? "ni2" : "n+2";
        if (magic != expected)
        {
            throw new InvalidNiftiException(path,
                $"NIfTI-2 magic is '{Printable(r.Bytes(4, 8))}'; expected '{expected}' for a {(isPair ? ".hdr/.img pair" : "single file")}");
        }
        var dim = new long[8];
        var pixdim = new double[8];
        for (var i = 0; i < 8; i++)
        {
            dim[i] = r.Int64(16 + 8 * i);
            pixdim[i] = r.Double(104 + 8 * i);
        }
        return new NiftiHeader
        {
            NiftiVersion = 2,
            IsBigEndian = r.BigEndian,
            IsPair = isPair,
            SizeofHdr = r.Int32(0),
            Magic = magic,
            Datatype = r.Int16(12),
            Bitpix = r.Int16(14),
            Dim = dim,
            IntentP1 = r.Double(80),
            IntentP2 = r.Double(88),
            IntentP3 = r.Double(96),
            Pixdim = pixdim,
            VoxOffset = r.Int64(168),
            SclSlope = r.Double(176),
            SclInter = r.Double(184),
            CalMax = r.Double(192),
            CalMin = r.Double(200),
            SliceDuration = r.Double(208),
            Toffset = r.Double(216),
            SliceStart = r.Int64(224),
            SliceEnd = r.Int64(232),
            Descrip = r.CString(240, 80),
            AuxFile = r.CString(320, 24),
            QformCode = r.Int32(344),
            SformCode = r.Int32(348),
            QuaternB = r.Double(352),
            QuaternC = r.Double(360),
            QuaternD = r.Double(368),
            QoffsetX = r.Double(376),
            QoffsetY = r.Double(384),
            QoffsetZ = r.Double(392),
            SrowX = [r.Double(400), r.Double(408), r.Double(416), r.Double(424)],
            SrowY = [r.Double(432), r.Double(440), r.Double(448), r.Double(456)],
            SrowZ = [r.Double(464), r.Double(472), r.Double(480), r.Double(488)],
            SliceCode = r.Int32(496),
            XyztUnits = r.Int32(500),
            IntentCode = r.Int32(504),
            IntentName = r.CString(508, 16),
            DimInfo = r.Byte(524),
        };
    }

    /// <summary>Writes a little-endian single-file NIfTI-1 header (348 bytes) followed by an empty extender.</summary>
    public static byte[] EncodeNifti1(NiftiHeader h)
    {
        var bytes = new byte[Nifti1Size + ExtenderSize];
        var w = bytes.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(w, Nifti1Size);
        w[39] = (byte)h.DimInfo;
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(w[(40 + 2 * i)..], checked((short)h.Dim[i]));
            BinaryPrimitives.WriteSingleLittleEndian(w[(76 + 4 * i)..], (float)h.Pixdim[i]);
        }
        BinaryPrimitives.WriteSingleLittleEndian(w[56..], (float)h.IntentP1);
        BinaryPrimitives.WriteSingleLittleEndian(w[60..], (float)h.IntentP2);
        BinaryPrimitives.WriteSingleLittleEndian(w[64..], (float)h.IntentP3);
        BinaryPrimitives.WriteInt16LittleEndian(w[68..], (short)h.IntentCode);
        BinaryPrimitives.WriteInt16LittleEndian(w[70..], h.Datatype);
        BinaryPrimitives.WriteInt16LittleEndian(w[72..], h.Bitpix);
        BinaryPrimitives.WriteInt16LittleEndian(w[74..], (short)h.SliceStart);
        BinaryPrimitives.WriteSingleLittleEndian(w[108..], (float)h.VoxOffset);
        BinaryPrimitives.WriteSingleLittleEndian(w[112..], (float)h.SclSlope);
        BinaryPrimitives.WriteSingleLittleEndian(w[116..], (float)h.SclInter);
        BinaryPrimitives.WriteInt16LittleEndian(w[120..], (short)h.SliceEnd);
        w[122] = (byte)h.SliceCode;
        w[123] = (byte)h.XyztUnits;
        BinaryPrimitives.WriteSingleLittleEndian(w[124..], (float)h.CalMax);
        BinaryPrimitives.WriteSingleLittleEndian(w[128..], (float)h.CalMin);
        BinaryPrimitives.WriteSingleLittleEndian(w[132..], (float)h.SliceDuration);
        BinaryPrimitives.WriteSingleLittleEndian(w[136..], (float)h.Toffset);
        WriteCString(w.Slice(148, 80), h.Descrip);
        WriteCString(w.Slice(228, 24), h.AuxFile);
        BinaryPrimitives.WriteInt16LittleEndian(w[252..], (short)h.QformCode);
        BinaryPrimitives.WriteInt16LittleEndian(w[254..], (short)h.SformCode);
        double[] quaternion = [h.QuaternB, h.QuaternC, h.QuaternD, h.QoffsetX, h.QoffsetY, h.QoffsetZ];
        for (var i = 0; i < quaternion.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(w[(256 + 4 * i)..], (float)quaternion[i]);
        }
        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(w[(280 + 4 * i)..], (float)h.SrowX[i]);
            BinaryPrimitives.WriteSingleLittleEndian(w[(296 + 4 * i)..], (float)h.SrowY[i]);
            BinaryPrimitives.WriteSingleLittleEndian(w[(312 + 4 * i)..], (float)h.SrowZ[i]);
        }
        WriteCString(w.Slice(328, 16), h.IntentName);
        WriteCString(w.Slice(344, 4), "n+1");
        return bytes;
    }

    private static void WriteCString(Span<byte> field, string value)
    {
        var count = Encoding.ASCII.GetBytes(value.AsSpan(0, Math.Min(value.Length, field.Length - 1)), field);
        field[count..].Clear();
    }

    private static string Printable(ReadOnlySpan<byte> bytes) =>
        string.Concat(bytes.ToArray().Select(b => b is >= 32 and < 127 ? ((char)b).ToString() : $"\\x{b:x2}"));

    /// <summary>Reads fixed-offset fields in the file's byte order.</summary>
    private readonly ref struct EndianReader(ReadOnlySpan<byte> bytes, bool bigEndian)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;

        public bool BigEndian { get; } = bigEndian;

        public byte Byte(int offset) => _bytes[offset];

        public ReadOnlySpan<byte> Bytes(int offset, int length) => _bytes.Slice(offset, length);

        public short Int16(int offset) => BigEndian
            ? BinaryPrimitives.ReadInt16BigEndian(_bytes[offset..])
            : BinaryPrimitives.ReadInt16LittleEndian(_bytes[offset..]);

        public int Int32(int offset) => BigEndian
            ? BinaryPrimitives.ReadInt32BigEndian(_bytes[offset..])
            : BinaryPrimitives.ReadInt32LittleEndian(_bytes[offset..]);

        public long Int64(int offset) => BigEndian
            ? BinaryPrimitives.ReadInt64BigEndian(_bytes[offset..])
            : BinaryPrimitives.ReadInt64LittleEndian(_bytes[offset..]);

        public double Single(int offset) => BigEndian
            ? BinaryPrimitives.ReadSingleBigEndian(_bytes[offset..])
            : BinaryPrimitives.ReadSingleLittleEndian(_bytes[offset..]);

        public double Double(int offset) => BigEndian
            ? BinaryPrimitives.ReadDoubleBigEndian(_bytes[offset..])
            : BinaryPrimitives.ReadDoubleLittleEndian(_bytes[offset..]);

        /// <summary>A C string: everything up to the first NUL, as latin-1 so no byte is lost.</summary>
        public string CString(int offset, int length)
        {
            var field = _bytes.Slice(offset, length);
            var end = field.IndexOf((byte)0);
            return Encoding.Latin1.GetString(end < 0 ? field : field[..end]);
        }
    }
}
