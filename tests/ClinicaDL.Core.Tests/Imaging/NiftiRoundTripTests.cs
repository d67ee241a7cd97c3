using System.IO.Compression;
using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Core.Tests.Imaging;

public sealed class NiftiRoundTripTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-nifti-").FullName;

    public static IEnumerable<object[]> WritableTypes() =>
        Enum.GetValues<NiftiDataType>().Where(t => NiftiDataTypes.BytesPerVoxel(t) > 0).SelectMany(t => new[] { new object[] { t, ".nii" }, [t, ".nii.gz"] });

    /// <summary>An oblique, left-handed affine: exercises qfac, the quaternion and the sform together.</summary>
    private static readonly AffineMatrix Oblique = new(new[,]
    {
        { -0.9 * Math.Cos(0.3), 0.0, 1.1 * Math.Sin(0.3), 90.5 },
        { 0.0, 1.25, 0.0, -126.0 },
        { 0.9 * Math.Sin(0.3), 0.0, 1.1 * Math.Cos(0.3), -72.25 },
        { 0, 0, 0, 1 },
    });

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [MemberData(nameof(WritableTypes))]
    public void Raw_bytes_of_every_datatype_read_back_bit_exact(NiftiDataType type, string extension)
    {
        int[] shape = [5, 4, 3, 2];
        var bytes = new byte[shape.Aggregate(1, (a, b) => a * b) * NiftiDataTypes.BytesPerVoxel(type)];
        new Random(42).NextBytes(bytes);
        var path = Path.Combine(_folder, $"{type}{extension}");
        var options = new NiftiWriteOptions { DataType = type, SclSlope = 0.5, SclInter = -3, QformCode = 1, SformCode = 4, Descrip = "round trip" };

        NiftiWriter.WriteRaw(path, shape, bytes, Oblique, options);
        var image = NiftiReader.Read(path);

        Assert.Equal(bytes, image.GetRawBytes());
        Assert.Equal(shape, image.Shape);
        Assert.Equal(type.ToString(), image.DataType);
        Assert.Equal(0.5, image.Header.SclSlope);
        Assert.Equal(-3, image.Header.SclInter);
        Assert.Equal("round trip", image.Header.Descrip);
        Assert.Equal((4, 1), (image.Header.SformCode, image.Header.QformCode));
        AssertAffineClose(Oblique, image.Affine, 1e-5);
        AssertAffineClose(Oblique, NiftiAffine.Qform(image.Header), 1e-5);
        Assert.Equal(-1.0, image.Header.Pixdim[0]);
    }

    [Theory]
    [InlineData(NiftiDataType.Int16, 0.25, 100.0)]
    [InlineData(NiftiDataType.UInt8, 1.0, 0.0)]
    [InlineData(NiftiDataType.Float32, 2.0, 1.0)]
    [InlineData(NiftiDataType.Float64, 1.0, 0.0)]
    public void Values_written_with_scaling_read_back_equal(NiftiDataType type, double slope, double inter)
    {
        int[] shape = [7, 6, 5];
        var random = new Random(7);
        // Values on the storage grid, so the round trip is exact for integer types too.
        var values = Enumerable.Range(0, 210).Select(_ => random.Next(0, 200) * slope + inter).ToArray();
        var path = Path.Combine(_folder, "scaled.nii.gz");

        NiftiWriter.Write<double>(path, shape, values, AffineMatrix.Identity, new NiftiWriteOptions { DataType = type, SclSlope = slope, SclInter = inter });

        Assert.Equal(values, NiftiReader.Read(path).GetData());
        Assert.Equal(values.Select(v => (float)v), NiftiReader.ReadSingle(path, out _));
    }

    [Fact]
    public void Integer_storage_rounds_half_to_even_and_saturates()
    {
        var path = Path.Combine(_folder, "clamp.nii");
        double[] values = [0.5, 1.5, 2.5, -1.0, 300.0, double.NaN];

        NiftiWriter.Write<double>(path, [6], values, AffineMatrix.Identity, new NiftiWriteOptions { DataType = NiftiDataType.UInt8 });

        Assert.Equal(new byte[] { 0, 2, 2, 0, 255, 0 }, NiftiReader.Read(path).GetRawBytes());
    }

    [Fact]
    public void Concatenated_gzip_members_are_read_as_one_stream()
    {
        int[] shape = [16, 16, 8];
        var values = Enumerable.Range(0, 16 * 16 * 8).Select(i => (float)Math.Sin(i)).ToArray();
        var plain = Path.Combine(_folder, "plain.nii");
        NiftiWriter.Write<float>(plain, shape, values, AffineMatrix.Identity);
        var bytes = File.ReadAllBytes(plain);
        var multi = Path.Combine(_folder, "multi.nii.gz");
        using (var output = File.Create(multi))
        {
            foreach (var part in new[] { bytes[..1000], bytes[1000..5000], bytes[5000..] })
            {
                using var member = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
                member.Write(part);
            }
        }

        Assert.Equal(values, NiftiReader.ReadSingle(multi, out _));
    }

    [Fact]
    public void A_failed_write_leaves_the_previous_file_intact()
    {
        var path = Path.Combine(_folder, "keep.nii");
        NiftiWriter.Write<float>(path, [2, 2], [1f, 2f, 3f, 4f], AffineMatrix.Identity);
        var before = File.ReadAllBytes(path);

        Assert.Throws<ArgumentException>(() => NiftiWriter.Write<float>(path, [2, 2], [1f, 2f, 3f], AffineMatrix.Identity));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Analyze_pairs_are_read_with_the_base_affine_and_spm_scaling()
    {
        var header = NiftiHeaderCodec.EncodeNifti1(new NiftiHeader
        {
            SizeofHdr = 348, Dim = [3, 4, 3, 2, 1, 1, 1, 1], Pixdim = [0, 2, 3, 4, 1, 1, 1, 1], Datatype = (short)NiftiDataType.Int16,
            Bitpix = 16, SclSlope = 2,
        });
        header.AsSpan(344, 4).Clear();
        File.WriteAllBytes(Path.Combine(_folder, "analyze.hdr"), header[..348]);
        var data = Enumerable.Range(0, 24).SelectMany(i => BitConverter.GetBytes((short)i)).ToArray();
        File.WriteAllBytes(Path.Combine(_folder, "analyze.img"), data);

        var image = NiftiReader.Read(Path.Combine(_folder, "analyze.hdr"));

        Assert.Equal(0, image.Header.NiftiVersion);
        Assert.Equal("base", image.AffineSource);
        Assert.Equal(new[] { -2.0, 0, 0, 3.0 }, image.Affine[0]);
        Assert.Equal(new[] { 0.0, 3, 0, -3.0 }, image.Affine[1]);
        Assert.Equal(new[] { 0.0, 0, 4, -2.0 }, image.Affine[2]);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => i * 2.0), image.GetData());
        Assert.Equal(image.GetData(), NiftiReader.Read(Path.Combine(_folder, "analyze.img")).GetData());
    }

    private static void AssertAffineClose(AffineMatrix expected, AffineMatrix actual, double tolerance)
    {
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                Assert.True(Math.Abs(expected[i, j] - actual[i, j]) <= tolerance, $"[{i},{j}] expected {expected[i, j]}, got {actual[i, j]}");
            }
        }
    }
}
