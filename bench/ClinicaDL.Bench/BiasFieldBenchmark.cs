using System.Globalization;
using ClinicaDL.Core.Generation;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Preprocessing;

namespace ClinicaDL.Bench;

/// <summary>
/// N4 bias field correction. n4_wm_cv_reduction: the white matter's coefficient of variation after correction over
/// before, on a 1 mm phantom with noise and a known smooth field (goal: at most 0.5, the variation halved);
/// n4_field_correlation: the recovered field's correlation with the known one inside the mask (goal: at least
/// 0.9); n4_seconds_real_head: the median of three corrections of the real head in ../shared/testdata/t1w after a
/// warm-up, Otsu mask included, reading the file excluded, libtorch's default threads (goal: at most 3);
/// n4_real_head_added_field_correlation: the same as n4_field_correlation for a known field (from 0.82 to 1.22
/// over the head) multiplied into the real head, recovered as the ratio of the fields found with and without it.
/// </summary>
internal static class BiasFieldBenchmark
{
    private const int Seed = 20260114;

    public static void Run(string workFolder)
    {
        var invariant = CultureInfo.InvariantCulture;
        var options = new BiasFieldOptions();
        var phantom = BiasedPhantom.Render(voxelSize: 1, amplitude: 0.2, seed: Seed);
        var result = BiasFieldCorrection.Correct(phantom.Image, null, options);
        var before = Variation(phantom.Image.Values, phantom.WhiteMatter);
        var after = Variation(result.Corrected.Values, phantom.WhiteMatter);
        var inside = result.Mask.Values.Select(v => v == 1).ToArray();
        Console.WriteLine(string.Create(invariant, $"n4_phantom: 1 mm, {string.Join("x", phantom.Image.Shape)}, known field from {phantom.Field.Values.Min():F3} to {phantom.Field.Values.Max():F3}, seed {Seed}"));
        Console.WriteLine(string.Create(invariant, $"n4_wm_cv_before: {before:F4}"));
        Console.WriteLine(string.Create(invariant, $"n4_wm_cv_after: {after:F4}"));
        Console.WriteLine(string.Create(invariant, $"n4_wm_cv_reduction: {after / before:F3}"));
        Console.WriteLine(string.Create(invariant, $"n4_field_correlation: {Correlation(result.Field.Values, phantom.Field.Values, inside):F4}"));
        Console.WriteLine(string.Create(invariant, $"n4_phantom_iterations: {result.Iterations}"));

        var path = RealHead();
        if (path is null)
        {
            Console.WriteLine("n4_seconds_real_head: skipped (../shared/testdata/t1w/sub-chris_T1w.nii.gz is absent; CLINICADL_TESTDATA names another testdata folder)");
            return;
        }
        var nifti = NiftiReader.Read(path);
        var head = new Volume(NiftiReader.ReadSingle(path, out _), nifti.Shape.ToArray(), nifti.Affine);
        BiasFieldResult? headResult = null;
        var seconds = Enumerable.Range(0, 4).Select(_ => Timing.Seconds(() => headResult = BiasFieldCorrection.Correct(head, null, options))).Skip(1).ToList();
        var maskSeconds = Timing.Seconds(() => ForegroundMask.Otsu(head));
        Console.WriteLine(string.Create(invariant, $"n4_real_head: {string.Join("x", head.Shape)}, {string.Join("x", head.Spacing.Select(s => s.ToString("F3", invariant)))} mm, {headResult!.Iterations} iterations, final convergence {headResult.FinalConvergence:E2}, field from {headResult.Field.Values.Min():F3} to {headResult.Field.Values.Max():F3}"));
        Console.WriteLine(string.Create(invariant, $"n4_seconds_otsu_mask: {maskSeconds:F3}"));
        // The head's own field is unknown; one added to it is recovered as the ratio of the fields found with and without it.
        var headInside = headResult.Mask.Values.Select(v => v == 1).ToArray();
        var added = BiasedPhantom.SmoothField(head.Shape, headInside, 0.2, new Random(Seed));
        var biased = BiasFieldCorrection.Correct(head.WithValues(head.Values.Select((v, i) => v * added[i]).ToArray()), null, options);
        var recovered = biased.Field.Values.Select((v, i) => v / headResult.Field.Values[i]).ToArray();
        Console.WriteLine(string.Create(invariant, $"n4_real_head_added_field_correlation: {Correlation(recovered, added, headInside):F4}"));
        Console.WriteLine(string.Create(invariant, $"n4_seconds_real_head: {Timing.Median(seconds):F3}"));
        Console.WriteLine(string.Create(invariant, $"n4_threads: {TorchSharp.torch.get_num_threads()}"));
    }

    /// <summary>The real head in the shared test data beside the repository, or in CLINICADL_TESTDATA.</summary>
    private static string? RealHead() => SharedTestData.File("t1w", "sub-chris_T1w.nii.gz");

    private static double Variation(float[] values, bool[] selected)
    {
        var chosen = values.Where((_, i) => selected[i]).Select(v => (double)v).ToArray();
        var mean = chosen.Average();
        return Math.Sqrt(chosen.Sum(v => (v - mean) * (v - mean)) / (chosen.Length - 1)) / mean;
    }

    private static double Correlation(float[] a, float[] b, bool[] selected)
    {
        var pairs = a.Select((v, i) => (X: (double)v, Y: (double)b[i])).Where((_, i) => selected[i]).ToArray();
        var (meanX, meanY) = (pairs.Average(p => p.X), pairs.Average(p => p.Y));
        var covariance = pairs.Sum(p => (p.X - meanX) * (p.Y - meanY));
        return covariance / Math.Sqrt(pairs.Sum(p => (p.X - meanX) * (p.X - meanX)) * pairs.Sum(p => (p.Y - meanY) * (p.Y - meanY)));
    }
}
