using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Core.Tests.Imaging;

/// <summary>
/// Files made to hurt the reader (issue 13, class 11): sizes the file cannot hold, corrupt or truncated gzip
/// members, things that are not regular files, out-of-range xform codes. Each is refused with the problem named,
/// without allocating for a size the header only claims. Allocations are counted on this thread only (xunit
/// runs other classes in parallel).
/// </summary>
public sealed class NiftiHostileInputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-hostile-").FullName;
    private readonly float[] _values = Enumerable.Range(0, 1000).Select(i => (float)(i % 17)).ToArray();
    private readonly byte[] _valid;

    public NiftiHostileInputTests()
    {
        var path = Path.Combine(_folder, "valid.nii");
        NiftiWriter.Write<float>(path, [10, 10, 10], _values, AffineMatrix.Identity);
        _valid = File.ReadAllBytes(path);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The fuzzer's 395-byte file: an extension whose esize is near 2^31 and a vox_offset far past the end.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_huge_extension_before_a_huge_vox_offset_is_refused_without_allocating(bool gzip)
    {
        var bytes = new byte[395];
        _valid.AsSpan(0, 348).CopyTo(bytes);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(108), 4e9f);
        bytes[348] = 1;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(352), int.MaxValue - 7);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(356), 6);
        var path = Write(gzip ? "extension.nii.gz" : "extension.nii", gzip ? Gzip(bytes) : bytes);

        var allocated = Allocated(() =>
        {
            var error = Assert.Throws<InvalidNiftiException>(() => NiftiReader.Read(path));
            Assert.Contains("extension.nii", error.Message);
            Assert.Matches(gzip ? "extension 1|vox_offset" : "vox_offset 4000000000 is past the end", error.Defect);
        });
        Assert.True(allocated < 4_000_000, $"the reader allocated {allocated} bytes for a {bytes.Length}-byte file");
    }

    [Fact]
    public void An_extension_larger_than_the_file_is_refused_naming_it()
    {
        var bytes = new byte[401];
        _valid.AsSpan(0, 348).CopyTo(bytes);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(108), 400);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(42), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(44), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(46), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(70), 2);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(72), 8);
        bytes[348] = 1;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(352), 1 << 30);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(356), 6);
        var path = Write("big-extension.nii", bytes);
        var error = Assert.Throws<InvalidNiftiException>(() => NiftiReader.Read(path));
        Assert.Contains("extension 1", error.Defect);
        Assert.Contains("esize 1073741824", error.Defect);
    }

    /// <summary>
    /// A 256 KiB .nii.gz whose header claims 400^3 voxels: under the old "gzip can expand 1032x" bound this made
    /// ReadSingle allocate 256 MB of float before finding the data missing.
    /// </summary>
    [Fact]
    public void A_small_gzip_file_claiming_many_voxels_allocates_for_the_data_it_holds()
    {
        var content = new byte[352 + (256 << 10)];
        _valid.AsSpan(0, 352).CopyTo(content);
        new Random(7).NextBytes(content.AsSpan(352));
        for (var axis = 1; axis <= 3; axis++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(content.AsSpan(40 + 2 * axis), 400);
        }
        BinaryPrimitives.WriteInt16LittleEndian(content.AsSpan(70), 2);
        BinaryPrimitives.WriteInt16LittleEndian(content.AsSpan(72), 8);
        var path = Write("claims.nii.gz", Gzip(content));

        var allocated = Allocated(() =>
        {
            Assert.Contains("truncated", Assert.Throws<InvalidNiftiException>(() => NiftiReader.ReadSingle(path, out _)).Defect);
            Assert.Contains("truncated", Assert.Throws<InvalidNiftiException>(() => NiftiReader.Read(path)).Defect);
        });
        Assert.True(allocated < 32_000_000, $"the reader allocated {allocated} bytes for {content.Length} bytes of data");
    }

    [Fact]
    public void A_gzip_member_with_a_wrong_crc_is_refused()
    {
        var compressed = Gzip(_valid);
        compressed[^8] ^= 0x40;
        AssertRefused("bad-crc.nii.gz", compressed, "CRC-32");
    }

    [Fact]
    public void A_gzip_member_with_a_wrong_length_is_refused()
    {
        var compressed = Gzip(_valid);
        compressed[^4] ^= 0x01;
        AssertRefused("bad-isize.nii.gz", compressed, "length");
    }

    /// <summary>Corrupt deflate data can still decode to the right number of bytes: only the CRC tells.</summary>
    [Fact]
    public void Corrupt_deflate_data_that_decode_to_garbage_are_refused()
    {
        var compressed = Gzip(_valid, CompressionLevel.NoCompression);
        var voxelStart = compressed.Length - 8 - 4000;
        compressed[voxelStart + 1203] ^= 0x7f;
        AssertRefused("garbage.nii.gz", compressed, "CRC-32");
    }

    /// <summary>All voxels are present but the member's end-of-stream marker and trailer are not: Python's gzip refuses it.</summary>
    [Fact]
    public void A_gzip_stream_cut_before_its_end_marker_is_refused()
    {
        var compressed = Gzip(_valid);
        AssertRefused("cut.nii.gz", compressed[..^8], "end-of-stream marker");
        var stored = Gzip(_valid, CompressionLevel.NoCompression);
        AssertRefused("cut-stored.nii.gz", stored[..^9], "truncated");
    }

    [Fact]
    public void Data_after_the_last_gzip_member_that_are_not_a_member_are_refused() =>
        AssertRefused("junk.nii.gz", [.. Gzip(_valid), .. "junk"u8.ToArray()], "not a gzip member");

    [Fact]
    public void Zero_padding_after_the_last_member_and_several_members_are_read_as_gzip_reads_them()
    {
        var padded = Write("padded.nii.gz", [.. Gzip(_valid), .. new byte[13]]);
        Assert.Equal(_values, NiftiReader.ReadSingle(padded, out _));
        var split = Write("members.nii.gz", [.. Gzip(_valid[..700]), .. Gzip(_valid[700..])]);
        Assert.Equal(_values, NiftiReader.ReadSingle(split, out _));
        Assert.Equal(_values.Select(v => (double)v), NiftiReader.Read(split).GetData());
    }

    [SkippableFact]
    public async Task A_fifo_is_refused_without_opening_it()
    {
        Skip.If(OperatingSystem.IsWindows(), "named pipes are not files on Windows");
        var fifo = Path.Combine(_folder, "sub-01_T1w.nii.gz");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
        }
        var read = Task.Run(() => NiftiReader.Read(fifo));
        if (await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(10))) != read)
        {
            // Unblock the reader's open() so the test process can end, then fail.
            await using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            Assert.Fail("Read blocked on a FIFO");
        }
        var error = await Assert.ThrowsAsync<InvalidNiftiException>(() => read);
        Assert.Contains("not a regular file", error.Defect);
        Assert.Throws<InvalidNiftiException>(() => NiftiReader.ReadHeader(fifo));
    }

    [SkippableFact]
    public void A_character_device_is_refused_without_reading_it()
    {
        Skip.IfNot(File.Exists("/dev/zero"), "no /dev/zero here");
        Assert.Contains("not a regular file", Assert.Throws<InvalidNiftiException>(() => NiftiReader.ReadSingle("/dev/zero", out _)).Defect);
    }

    /// <summary>nibabel's check_fix sets xform codes outside 0..5 to 0 before choosing the affine.</summary>
    [Theory]
    [InlineData(255, 1, "qform")]
    [InlineData(32767, 1, "qform")]
    [InlineData(-1, 1, "qform")]
    [InlineData(255, 32767, "base")]
    [InlineData(5, 1, "sform")]
    [InlineData(0, 5, "qform")]
    public void Xform_codes_nibabel_does_not_know_count_as_zero(short sformCode, short qformCode, string source)
    {
        var bytes = (byte[])_valid.Clone();
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(254), sformCode);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(252), qformCode);
        // An sform unlike the qform, so the test sees which one was used.
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(280 + 12), 99f);
        var image = NiftiReader.ReadHeader(Write($"codes-{sformCode}-{qformCode}.nii", bytes));
        Assert.Equal(source, image.AffineSource);
        Assert.Equal(source == "sform" ? 99 : source == "qform" ? 0 : 4.5, image.Affine[0, 3]);
        Assert.Equal(sformCode, image.Header.SformCode);
    }

    private string Write(string name, byte[] content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private void AssertRefused(string name, byte[] content, string defect)
    {
        var path = Write(name, content);
        var error = Assert.Throws<InvalidNiftiException>(() => NiftiReader.Read(path));
        Assert.Contains(name, error.Message);
        Assert.Contains(defect, error.Defect);
        Assert.Contains(defect, Assert.Throws<InvalidNiftiException>(() => NiftiReader.ReadSingle(path, out _)).Defect);
    }

    private static long Allocated(Action action)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static byte[] Gzip(byte[] content, CompressionLevel level = CompressionLevel.Fastest)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, level))
        {
            gzip.Write(content);
        }
        return output.ToArray();
    }
}
