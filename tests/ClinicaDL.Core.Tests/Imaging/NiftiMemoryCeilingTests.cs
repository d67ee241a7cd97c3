using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Core.Tests.Imaging;

/// <summary>The ceiling on the memory one image's voxels may take, and the ways a user raises it.</summary>
public sealed class NiftiMemoryCeilingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-ceiling-").FullName;
    private readonly float[] _values = Enumerable.Range(0, 1000).Select(i => (float)i).ToArray();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void An_image_above_the_memory_ceiling_is_refused_naming_how_to_raise_it()
    {
        var path = Path.Combine(_folder, "ceiling.nii");
        NiftiWriter.Write<float>(path, [10, 10, 10], _values, AffineMatrix.Identity);
        var small = new NiftiReadOptions { MaxImageBytes = 3999 };
        var error = Assert.Throws<InvalidNiftiException>(() => NiftiReader.Read(path, small));
        Assert.Contains("4000 bytes", error.Defect);
        Assert.Contains("3999", error.Defect);
        Assert.Contains(NiftiReadOptions.MaxImageBytesVariable, error.Defect);
        Assert.Throws<InvalidNiftiException>(() => NiftiReader.ReadSingle(path, out _, small));
        Assert.Equal(_values, NiftiReader.ReadSingle(path, out _, new NiftiReadOptions { MaxImageBytes = 4000 }));
        var lazy = NiftiReader.ReadHeader(path, small);
        Assert.Throws<InvalidNiftiException>(() => lazy.GetData());
    }

    [Theory]
    [InlineData("8589934592", 8L << 30)]
    [InlineData("8G", 8L << 30)]
    [InlineData("512MiB", 512L << 20)]
    [InlineData(" 1 t ", 1L << 40)]
    [InlineData(null, 4L << 30)]
    public void The_ceiling_comes_from_the_environment_variable_when_set(string? value, long expected) =>
        Assert.Equal(expected, NiftiReadOptions.Parse(value).MaxImageBytes);

    [Theory]
    [InlineData("lots")]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("99999999999T")]
    public void A_malformed_ceiling_variable_is_refused_naming_it(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => NiftiReadOptions.Parse(value));
        Assert.Contains(NiftiReadOptions.MaxImageBytesVariable, error.Message);
        Assert.Contains(value, error.Message);
    }
}
