using System.Buffers.Binary;
using System.IO.Compression;
using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Core.Tests.Imaging;

/// <summary>Each defect is rejected with the file and the exact problem named, and nothing is allocated for it.</summary>
public sealed class NiftiInvalidInputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-bad-").FullName;
    private readonly byte[] _valid;

    public NiftiInvalidInputTests()
    {
        var path = Path.Combine(_folder, "valid.nii");
        NiftiWriter.Write<float>(path, [10, 10, 10], new float[1000], AffineMatrix.Identity);
        _valid = File.ReadAllBytes(path);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Truncated_data_are_rejected() =>
        AssertRejected(_valid[..2000], "truncated", "declares 4000 bytes");

    [Fact]
    public void A_wrong_sizeof_hdr_is_rejected() =>
        AssertRejected(Patched(b => BinaryPrimitives.WriteInt32LittleEndian(b, 349)), "sizeof_hdr is 349");

    [Fact]
    public void A_negative_dimension_is_rejected() =>
        AssertRejected(Patched(b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(42), -10)), "dim[1] is -10");

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(-3)]
    public void A_dim0_outside_1_to_7_is_rejected(short rank) =>
        AssertRejected(Patched(b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40), rank)), $"dim[0] is {rank}");

    [Fact]
    public void A_vox_offset_past_the_end_is_rejected() =>
        AssertRejected(Patched(b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(108), 1e6f)), "vox_offset 1000000 is past the end");

    [Fact]
    public void An_unknown_datatype_is_rejected() =>
        AssertRejected(Patched(b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(70), 999)), "datatype is 999");

    [Fact]
    public void An_empty_file_is_rejected() => AssertRejected([], "empty");

    // Allocations are counted on this thread only: xunit runs other test classes in parallel.
    [Fact]
    public void A_header_claiming_terabytes_is_rejected_before_allocating()
    {
        var claim = Patched(b =>
        {
            for (var axis = 1; axis <= 4; axis++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40 + 2 * axis), 32000);
            }
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40), 4);
        });
        var before = GC.GetAllocatedBytesForCurrentThread();
        AssertRejected(claim, "more than");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000, "the reader allocated for a size the file cannot hold");
        AssertRejected(Gzip(claim), "more than");
    }

    [Fact]
    public void A_small_gzip_file_claiming_gigabytes_is_rejected_before_allocating()
    {
        var claim = Patched(b =>
        {
            short[] shape = [1000, 1000, 500];
            for (var axis = 0; axis < 3; axis++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(42 + 2 * axis), shape[axis]);
            }
        });
        var before = GC.GetAllocatedBytesForCurrentThread();
        AssertRejected(Gzip(claim), "more than a");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000, "the reader allocated for a size the file cannot hold");
    }

    [Fact]
    public void A_truncated_gzip_stream_is_rejected()
    {
        var random = new byte[4000];
        new Random(1).NextBytes(random);
        var valid = (byte[])_valid.Clone();
        random.CopyTo(valid, 352);
        var compressed = Gzip(valid);
        AssertRejected(compressed[..(compressed.Length / 2)], "");
    }

    [Fact]
    public void A_corrupt_gzip_stream_is_rejected()
    {
        var compressed = Gzip(_valid);
        for (var i = 20; i < compressed.Length - 8; i += 7)
        {
            compressed[i] ^= 0x5a;
        }
        AssertRejected(compressed, "");
    }

    [Fact]
    public void A_header_without_its_image_file_is_rejected()
    {
        var header = (byte[])_valid[..348].Clone();
        "ni1\0"u8.CopyTo(header.AsSpan(344));
        BinaryPrimitives.WriteSingleLittleEndian(header.AsSpan(108), 0);
        var path = Path.Combine(_folder, "lonely.hdr");
        File.WriteAllBytes(path, header);
        var error = Assert.Throws<InvalidNiftiException>(() => NiftiReader.Read(path));
        Assert.Contains("lonely.img", error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void A_single_file_with_pair_magic_is_rejected() =>
        AssertRejected(Patched(b => "ni1\0"u8.CopyTo(b.AsSpan(344))), "magic 'ni1'");

    private byte[] Patched(Action<byte[]> patch)
    {
        var copy = (byte[])_valid.Clone();
        patch(copy);
        return copy;
    }

    private static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(content);
        }
        return output.ToArray();
    }

    private void AssertRejected(byte[] content, string defect)
    {
        var path = Path.Combine(_folder, $"bad-{Guid.NewGuid():N}.nii");
        File.WriteAllBytes(path, content);
        var error = Assert.Throws<InvalidNiftiException>(() => NiftiReader.Read(path));
        Assert.Contains(Path.GetFileName(path), error.Message);
        Assert.Contains(defect, error.Defect);
        Assert.Throws<InvalidNiftiException>(() => NiftiReader.ReadSingle(path, out _));
    }

    private void AssertRejected(byte[] content, string defect, string detail)
    {
        AssertRejected(content, defect);
        var path = Path.Combine(_folder, "detail.nii");
        File.WriteAllBytes(path, content);
        Assert.Contains(detail, Assert.Throws<InvalidNiftiException>(() => NiftiReader.Read(path)).Defect);
    }
}
