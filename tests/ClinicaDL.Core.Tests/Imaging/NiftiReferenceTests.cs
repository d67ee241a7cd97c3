using System.Text.Json;
using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Core.Tests.Imaging;

/// <summary>Every file of ../shared/testdata/nifti read as nibabel reads it.</summary>
public sealed class NiftiReferenceTests
{
    public static IEnumerable<object[]> ValidFiles() => NiftiExpectations.ValidFiles();

    public static IEnumerable<object[]> InvalidFiles() => NiftiExpectations.InvalidFiles();

    [SkippableTheory]
    [MemberData(nameof(ValidFiles))]
    public void Header_fields_are_those_nibabel_reads(string file)
    {
        var expected = Expect(file).GetProperty("header");
        var header = NiftiReader.ReadHeader(TestData.Path("nifti", file)).Header;

        Assert.Equal(expected.GetProperty("sizeof_hdr").GetInt32(), header.SizeofHdr);
        Assert.Equal(expected.GetProperty("magic").GetString(), header.Magic);
        Assert.Equal(expected.GetProperty("dim").EnumerateArray().Select(d => d.GetInt64()), header.Dim);
        Assert.Equal(expected.GetProperty("datatype").GetInt32(), header.Datatype);
        Assert.Equal(expected.GetProperty("bitpix").GetInt32(), header.Bitpix);
        Assert.Equal(expected.GetProperty("dim_info").GetInt32(), header.DimInfo);
        Assert.Equal(expected.GetProperty("intent_code").GetInt32(), header.IntentCode);
        Assert.Equal(expected.GetProperty("qform_code").GetInt32(), header.QformCode);
        Assert.Equal(expected.GetProperty("sform_code").GetInt32(), header.SformCode);
        Assert.Equal(expected.GetProperty("xyzt_units").GetInt32(), header.XyztUnits);
        Assert.Equal(expected.GetProperty("slice_start").GetInt64(), header.SliceStart);
        Assert.Equal(expected.GetProperty("slice_end").GetInt64(), header.SliceEnd);
        Assert.Equal(expected.GetProperty("slice_code").GetInt32(), header.SliceCode);
        Assert.Equal(expected.GetProperty("descrip").GetString(), header.Descrip);
        Assert.Equal(expected.GetProperty("aux_file").GetString(), header.AuxFile);
        Assert.Equal(expected.GetProperty("intent_name").GetString(), header.IntentName);
        Assert.Equal(NiftiExpectations.Numbers(expected.GetProperty("pixdim")), header.Pixdim);
        Assert.Equal(NiftiExpectations.Numbers(expected.GetProperty("srow_x")), header.SrowX);
        Assert.Equal(NiftiExpectations.Numbers(expected.GetProperty("srow_y")), header.SrowY);
        Assert.Equal(NiftiExpectations.Numbers(expected.GetProperty("srow_z")), header.SrowZ);
        (string Name, double Value)[] scalars =
        [
            ("vox_offset", header.VoxOffset), ("scl_slope", header.SclSlope), ("scl_inter", header.SclInter),
            ("intent_p1", header.IntentP1), ("intent_p2", header.IntentP2), ("intent_p3", header.IntentP3),
            ("cal_min", header.CalMin), ("cal_max", header.CalMax), ("slice_duration", header.SliceDuration),
            ("toffset", header.Toffset), ("quatern_b", header.QuaternB), ("quatern_c", header.QuaternC),
            ("quatern_d", header.QuaternD), ("qoffset_x", header.QoffsetX), ("qoffset_y", header.QoffsetY),
            ("qoffset_z", header.QoffsetZ),
        ];
        foreach (var (name, value) in scalars)
        {
            Assert.True(SameNumber(NiftiExpectations.Number(expected.GetProperty(name)), value), $"{name}: expected {expected.GetProperty(name)}, read {value}");
        }
        Assert.Equal(Expect(file).GetProperty("endianness").GetString() == "big", header.IsBigEndian);
        Assert.Equal(Expect(file).GetProperty("nifti_version").GetInt32(), header.NiftiVersion);
        Assert.Equal(Expect(file).GetProperty("data_offset").GetInt64(), header.DataOffset);
    }

    [SkippableTheory]
    [MemberData(nameof(ValidFiles))]
    public void Extensions_are_listed_with_code_and_size(string file)
    {
        var expected = Expect(file).GetProperty("extensions").EnumerateArray()
            .Select(e => (e.GetProperty("code").GetInt32(), e.GetProperty("esize").GetInt32())).ToList();
        var header = NiftiReader.ReadHeader(TestData.Path("nifti", file)).Header;
        Assert.Equal(expected.Select(e => e.Item1), header.Extensions.Select(e => e.Code));
        // nibabel reports a CIFTI extension's size after re-serialising its XML (976 for row_major.dconn.nii);
        // the file stores 944, which is exactly the room between the header and vox_offset. We report the file.
        var stored = expected.Select(e => e.Item1 == 32 ? (int)header.VoxOffset - header.SizeofHdr - 4 : e.Item2);
        Assert.Equal(stored, header.Extensions.Select(e => e.Esize));
        Assert.All(header.Extensions, e => Assert.Equal(e.Esize - 8, e.Content.Length));
    }

    [SkippableTheory]
    [MemberData(nameof(ValidFiles))]
    public void Shape_zooms_and_affine_are_nibabels(string file)
    {
        var record = Expect(file);
        var image = NiftiReader.ReadHeader(TestData.Path("nifti", file));

        Assert.Equal(record.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()), image.Shape);
        Assert.Equal(NiftiExpectations.Numbers(record.GetProperty("zooms")), image.VoxelSize);
        Assert.Equal(record.GetProperty("affine_source").GetString(), image.AffineSource);
        AssertAffine(record.GetProperty("affine"), image.Affine, "affine");
        AssertAffine(record.GetProperty("qform_affine"), NiftiAffine.Qform(image.Header), "qform");
        AssertAffine(record.GetProperty("base_affine"), NiftiAffine.Base(image.Header), "base");
    }

    [SkippableTheory]
    [MemberData(nameof(ValidFiles))]
    public void Voxel_values_and_statistics_are_nibabels(string file)
    {
        var record = Expect(file);
        var image = NiftiReader.Read(TestData.Path("nifti", file));
        if (record.GetProperty("stats").ValueKind == JsonValueKind.Null)
        {
            var exception = Assert.Throws<InvalidOperationException>(() => image.GetData());
            Assert.Contains("GetRawBytes", exception.Message);
            return;
        }
        var values = image.GetData();
        AssertStats(record.GetProperty("stats"), values, "values");
        foreach (var voxel in record.GetProperty("voxels").EnumerateArray())
        {
            var index = voxel.GetProperty("flat_index").GetInt32();
            var expected = NiftiExpectations.Number(voxel.GetProperty("value"));
            Assert.True(SameNumber(expected, values[index]), $"voxel {voxel.GetProperty("name")}: expected {expected}, read {values[index]}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(ValidFiles))]
    public void Raw_voxels_and_components_are_nibabels(string file)
    {
        var record = Expect(file);
        var image = NiftiReader.Read(TestData.Path("nifti", file));
        var components = ComponentValues(image);
        if (record.TryGetProperty("component_stats", out var componentStats) && componentStats.ValueKind == JsonValueKind.Object)
        {
            foreach (var component in componentStats.EnumerateObject())
            {
                AssertStats(component.Value, components[component.Name], component.Name);
            }
        }
        foreach (var voxel in record.GetProperty("voxels").EnumerateArray())
        {
            var index = voxel.GetProperty("flat_index").GetInt32();
            var raw = voxel.GetProperty("raw");
            var expected = raw.ValueKind == JsonValueKind.Array ? NiftiExpectations.Numbers(raw) : [NiftiExpectations.Number(raw)];
            var actual = components.Values.Select(c => c[index]).ToArray();
            Assert.Equal(expected, actual);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(ValidFiles))]
    public void Float32_fast_path_equals_the_double_values(string file)
    {
        var path = TestData.Path("nifti", file);
        var image = NiftiReader.Read(path);
        if (!NiftiDataTypes.IsScalar(image.Header.VoxelType) && image.Header.VoxelType is NiftiDataType.Rgb24 or NiftiDataType.Rgba32)
        {
            Assert.Throws<InvalidNiftiException>(() => NiftiReader.ReadSingle(path, out _));
            return;
        }
        var expected = image.GetData().Select(v => (float)v).ToArray();
        var actual = NiftiReader.ReadSingle(path, out var header);
        Assert.Equal(image.Header.Dim, header.Dim);
        Assert.Equal(image.Header.Datatype, header.Datatype);
        Assert.Equal(expected, actual);
    }

    [SkippableTheory]
    [MemberData(nameof(InvalidFiles))]
    public void Invalid_files_are_rejected_with_the_file_named(string file)
    {
        var path = TestData.Path("nifti", file);
        var error = Assert.Throws<InvalidNiftiException>(() => NiftiReader.Read(path));
        Assert.Equal(Path.GetFullPath(path), error.FilePath);
        Assert.Contains(Path.GetFileName(path), error.Message);
        Assert.False(string.IsNullOrWhiteSpace(error.Defect));
    }

    private static JsonElement Expect(string file)
    {
        Skip.If(TestData.Root is null, TestData.SkipMessage);
        return NiftiExpectations.Record(file);
    }

    /// <summary>Unscaled stored values per component: one "value" for scalars, real/imag, or R/G/B(/A).</summary>
    private static Dictionary<string, double[]> ComponentValues(NiftiImage image)
    {
        var raw = image.GetRawBytes();
        var count = (int)image.VoxelCount;
        switch (image.Header.VoxelType)
        {
            case NiftiDataType.Rgb24:
            case NiftiDataType.Rgba32:
                var names = image.Header.VoxelType == NiftiDataType.Rgb24 ? new[] { "R", "G", "B" } : ["R", "G", "B", "A"];
                return names.Select((name, c) => (name, Enumerable.Range(0, count).Select(i => (double)raw[i * names.Length + c]).ToArray()))
                    .ToDictionary(p => p.name, p => p.Item2);
            case NiftiDataType.Complex64:
            case NiftiDataType.Complex128:
                var pairs = image.GetComplexData();
                return new Dictionary<string, double[]>
                {
                    ["real"] = Enumerable.Range(0, count).Select(i => pairs[2 * i]).ToArray(),
                    ["imag"] = Enumerable.Range(0, count).Select(i => pairs[2 * i + 1]).ToArray(),
                };
            default:
                var values = new double[count];
                VoxelDecoder.Convert<double>(raw, image.Header.VoxelType, 1, 0, values);
                return new Dictionary<string, double[]> { ["value"] = values };
        }
    }

    private static void AssertStats(JsonElement expected, double[] values, string what)
    {
        Assert.Equal(expected.GetProperty("count").GetInt64(), values.Length);
        Assert.Equal(expected.GetProperty("nan_count").GetInt64(), values.LongCount(double.IsNaN));
        Assert.Equal(expected.GetProperty("posinf_count").GetInt64(), values.LongCount(double.IsPositiveInfinity));
        Assert.Equal(expected.GetProperty("neginf_count").GetInt64(), values.LongCount(double.IsNegativeInfinity));
        var hasNaN = values.Any(double.IsNaN);
        var sum = values.Sum();
        (string Name, double Value)[] stats =
        [
            ("min", hasNaN ? double.NaN : values.Min()),
            ("max", hasNaN ? double.NaN : values.Max()),
            ("sum", sum),
            ("mean", sum / values.Length),
        ];
        foreach (var (name, value) in stats)
        {
            var reference = NiftiExpectations.Number(expected.GetProperty(name));
            Assert.True(Close(reference, value, 1e-6), $"{what} {name}: nibabel {reference}, read {value}");
        }
        if (expected.TryGetProperty("finite_sum", out var finiteSum))
        {
            var finite = values.Where(double.IsFinite).ToArray();
            Assert.True(Close(NiftiExpectations.Number(finiteSum), finite.Sum(), 1e-6), $"{what} finite_sum");
            Assert.Equal(NiftiExpectations.Number(expected.GetProperty("finite_min")), finite.Min());
            Assert.Equal(NiftiExpectations.Number(expected.GetProperty("finite_max")), finite.Max());
        }
    }

    private static void AssertAffine(JsonElement expected, AffineMatrix actual, string what)
    {
        var rows = expected.EnumerateArray().Select(NiftiExpectations.Numbers).ToArray();
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                Assert.True(Math.Abs(rows[i][j] - actual[i, j]) <= 1e-6, $"{what}[{i},{j}]: nibabel {rows[i][j]}, computed {actual[i, j]}");
                Assert.Equal(actual[i, j], actual[i][j]);
            }
        }
    }

    private static bool SameNumber(double expected, double actual) =>
        expected.Equals(actual) || (double.IsNaN(expected) && double.IsNaN(actual));

    private static bool Close(double expected, double actual, double relative) =>
        SameNumber(expected, actual) || Math.Abs(expected - actual) <= relative * Math.Max(1.0, Math.Abs(expected));
}
