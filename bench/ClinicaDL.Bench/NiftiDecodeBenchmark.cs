using System.Globalization;
using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Bench;

/// <summary>
/// nifti_decode_vs_gzip: how our read of a t1-linear-sized float32 .nii.gz into a float32 buffer compares with
/// gzip alone decompressing the same file to /dev/null (ratio = gzip time / our time; above 1 means faster).
/// </summary>
internal static class NiftiDecodeBenchmark
{
    private static readonly int[] Shape = [169, 208, 179];

    public static void Run(string workFolder)
    {
        var path = Path.Combine(workFolder, "t1w_like_169x208x179_float32.nii.gz");
        if (!File.Exists(path))
        {
            WriteBrainLikeImage(path);
        }
        var (gzipSeconds, ourSeconds, ratio) = Timing.Paired(
            () => Timing.Shell("gzip -dc \"$1\" > /dev/null", path),
            () => NiftiReader.ReadSingle(path, out _),
            pairs: 7);
        var invariant = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(invariant, $"nifti_file: {Path.GetFileName(path)} ({new FileInfo(path).Length / 1e6:F1} MB compressed, {Shape[0] * Shape[1] * Shape[2] * 4 / 1e6:F1} MB of voxels)"));
        Console.WriteLine(string.Create(invariant, $"nifti_gzip_dc_s: {gzipSeconds:F3}"));
        Console.WriteLine(string.Create(invariant, $"nifti_read_float32_s: {ourSeconds:F3}"));
        Console.WriteLine(string.Create(invariant, $"nifti_decode_vs_gzip: {ratio:F2}"));
    }

    /// <summary>
    /// A head-sized ellipsoid of smooth tissue-like intensities plus seeded noise, written like a t1-linear crop:
    /// it compresses about as real float32 MRI does (a realistic inflate workload), unlike constant or pure-noise data.
    /// </summary>
    private static void WriteBrainLikeImage(string path)
    {
        var random = new Random(20261126);
        var values = new float[Shape[0] * Shape[1] * Shape[2]];
        var index = 0;
        for (var k = 0; k < Shape[2]; k++)
        {
            for (var j = 0; j < Shape[1]; j++)
            {
                for (var i = 0; i < Shape[0]; i++, index++)
                {
                    double x = (i - 84.0) / 70, y = (j - 104.0) / 90, z = (k - 89.0) / 75;
                    var radius = x * x + y * y + z * z;
                    var tissue = radius < 1 ? 80 + 40 * Math.Cos(6 * Math.Sqrt(radius)) + 15 * Math.Sin(0.3 * i) * Math.Cos(0.2 * j) : 0;
                    values[index] = (float)Math.Max(0, tissue + (radius < 1.1 ? random.NextDouble() * 6 - 3 : 0));
                }
            }
        }
        var affine = new AffineMatrix(new double[,] { { 1, 0, 0, -84 }, { 0, 1, 0, -120 }, { 0, 0, 1, -72 }, { 0, 0, 0, 1 } });
        NiftiWriter.Write(path, Shape, values, affine);
    }
}
