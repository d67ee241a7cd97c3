using System.Diagnostics;
using System.Globalization;
using ClinicaDL.Core.Extraction;
using ClinicaDL.Core.Generation;

namespace ClinicaDL.Bench;

/// <summary>
/// extract_images_per_s: t1-linear 1 mm .nii.gz images (169x208x179, int16 with a slope, gzip) decoded and
/// written as image tensors per second, on all cores (ClinicaDL 1.6.1 here: 6.2 images/s with 2 workers, from
/// float64 files).
/// </summary>
internal static class ExtractionBenchmark
{
    public static void Run(string workFolder)
    {
        var root = Path.Combine(workFolder, "extraction");
        SyntheticDatasetGenerator.Generate(new SyntheticOptions { OutputPath = root, ParticipantCount = 16, SessionCount = 1, VoxelSize = 1, Seed = 3 }, overwrite: true);
        var options = new ExtractionOptions { CapsPath = Path.Combine(root, "caps"), Mode = ExtractionMode.Image, Overwrite = true };
        // A first pass warms the file cache and the JIT, so the timed pass measures decoding and writing.
        TensorExtractor.Run(options);
        var watch = Stopwatch.StartNew();
        var images = TensorExtractor.Run(options).Count;
        var seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"extract_images: {images}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"extract_threads: {Environment.ProcessorCount}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"extract_images_per_s: {images / seconds:F2}"));
    }
}
