using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Core.Tests.Imaging;

public sealed class TensorFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tensorfile").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void RoundTripsShapeAndValuesWithAnAlignedHeader()
    {
        var values = Enumerable.Range(0, 2 * 3 * 4).Select(i => i * 0.5f - 3).ToArray();
        values[5] = float.NaN;
        var path = Path.Combine(_folder, "map.tensor");
        TensorFile.Write(path, [2, 3, 4], values);
        var (shape, read) = TensorFile.Read(path);
        Assert.Equal(new long[] { 2, 3, 4 }, shape);
        Assert.Equal(values, read);
        // 24 fixed bytes + 3 dimensions = 48, padded to 64; then 24 float32 values.
        Assert.Equal(64 + 24 * 4, new FileInfo(path).Length);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal("CDLTENSR", System.Text.Encoding.ASCII.GetString(bytes, 0, 8));
        Assert.Equal(-3f, BitConverter.ToSingle(bytes, 64));
    }

    [Fact]
    public void RefusesAShapeThatDoesNotMatchTheValues()
    {
        var error = Assert.Throws<ArgumentException>(() => TensorFile.Write(Path.Combine(_folder, "bad.tensor"), [2, 2], new float[3]));
        Assert.Contains("2x2 holds 4 values; 3 were given", error.Message);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void NamesTheDefectOfATruncatedOrForeignFile()
    {
        var path = Path.Combine(_folder, "short.tensor");
        TensorFile.Write(path, [10], new float[10]);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^4]);
        Assert.Contains("needs 40 bytes of data; the file has 36", Assert.Throws<InvalidTensorFileException>(() => TensorFile.Read(path)).Message);
        // The header alone is enough to refuse it, before any training starts on it.
        Assert.Contains("needs 40 bytes of data; the file has 36", Assert.Throws<InvalidTensorFileException>(() => TensorFile.ReadShape(path)).Message);
        var foreign = Path.Combine(_folder, "foreign.tensor");
        File.WriteAllText(foreign, "PK\u0003\u0004 a PyTorch zip file and more");
        Assert.Contains("does not start with CDLTENSR", Assert.Throws<InvalidTensorFileException>(() => TensorFile.Read(foreign)).Message);
        Assert.Contains("does not start with CDLTENSR", Assert.Throws<InvalidTensorFileException>(() => TensorFile.ReadShape(foreign)).Message);
    }
}
