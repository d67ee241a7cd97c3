using System.Diagnostics;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Preprocessing;

namespace ClinicaDL.Bench;

/// <summary>Accuracy and speed of the t1-linear affine registration on the real head under known transforms.</summary>
internal static class RegistrationBenchmark
{
    public static void Run(string workFolder)
    {
        var template = Load(Path.Combine(TestData, "templates", "tpl-MNI152NLin2009cSym_res-1_desc-brain_T1w.nii.gz"));
        var head = Load(Path.Combine(TestData, "t1w", "sub-chris_T1w.nii.gz"));
        using var threads = ClinicaDL.Core.Runtime.TorchRuntime.UseThreads(1);
        var watch = Stopwatch.StartNew();
        using var prepared = RegistrationTemplate.Prepare(template, new RegistrationOptions());
        Console.WriteLine($"prepare: {watch.Elapsed.TotalSeconds:F2}");
        watch.Restart();
        var reference = AffineRegistration.Register(prepared, head);
        Console.WriteLine($"registration_seconds_reference: {watch.Elapsed.TotalSeconds:F2}  MI {reference.MutualInformation:F4}");
        Console.WriteLine($"reference transform: {reference.Transform}");
        var brain = BrainPoints(template);
        var random = new Random(7);
        var displacements = new List<double>();
        for (var k = 0; k < 4; k++)
        {
            var known = RandomTransform(random);
            var moved = new Volume(head.Values, head.Shape, known.Multiply(head.Affine));
            watch.Restart();
            var result = AffineRegistration.Register(prepared, moved);
            var seconds = watch.Elapsed.TotalSeconds;
            var truth = known.Multiply(reference.Transform);
            var displacement = MeanDisplacement(result.Transform, truth, brain);
            displacements.Add(displacement);
            Console.WriteLine($"case {k}: {seconds:F2} s, mean displacement {displacement:F3} mm, MI {result.MutualInformation:F4}");
        }
        Console.WriteLine($"t1linear_mean_displacement_mm: {displacements.Average():F3}");
        Console.WriteLine($"t1linear_max_displacement_mm: {displacements.Max():F3}");
    }

    private static string TestData => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/testdata"));

    private static Volume Load(string path)
    {
        var header = NiftiReader.ReadHeader(path);
        var values = NiftiReader.ReadSingle(path, out _);
        return new Volume(values, [header.Shape[0], header.Shape[1], header.Shape[2]], header.Affine);
    }

    private static List<double[]> BrainPoints(Volume template)
    {
        var points = new List<double[]>();
        var (nx, ny) = (template.Shape[0], template.Shape[1]);
        for (var i = 0; i < template.Values.Length; i += 7)
        {
            if (template.Values[i] > 0)
            {
                points.Add(template.Affine.Apply(i % nx, i / nx % ny, i / (nx * ny)));
            }
        }
        return points;
    }

    private static double MeanDisplacement(AffineMatrix a, AffineMatrix b, List<double[]> points) => points.Average(p =>
    {
        var u = a.Apply(p[0], p[1], p[2]);
        var v = b.Apply(p[0], p[1], p[2]);
        return Math.Sqrt((u[0] - v[0]) * (u[0] - v[0]) + (u[1] - v[1]) * (u[1] - v[1]) + (u[2] - v[2]) * (u[2] - v[2]));
    });

    /// <summary>Rotations up to 15 degrees about each axis, translations up to 20 mm, scales 0.9-1.1, about the origin's neighbourhood (the brain's centre).</summary>
    private static AffineMatrix RandomTransform(Random random)
    {
        double Uniform(double low, double high) => low + (high - low) * random.NextDouble();
        var (a, b, c) = (Uniform(-15, 15) * Math.PI / 180, Uniform(-15, 15) * Math.PI / 180, Uniform(-15, 15) * Math.PI / 180);
        var rx = new AffineMatrix(new double[,] { { 1, 0, 0, 0 }, { 0, Math.Cos(a), -Math.Sin(a), 0 }, { 0, Math.Sin(a), Math.Cos(a), 0 }, { 0, 0, 0, 1 } });
        var ry = new AffineMatrix(new double[,] { { Math.Cos(b), 0, Math.Sin(b), 0 }, { 0, 1, 0, 0 }, { -Math.Sin(b), 0, Math.Cos(b), 0 }, { 0, 0, 0, 1 } });
        var rz = new AffineMatrix(new double[,] { { Math.Cos(c), -Math.Sin(c), 0, 0 }, { Math.Sin(c), Math.Cos(c), 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } });
        var scale = new AffineMatrix(new double[,] { { Uniform(0.9, 1.1), 0, 0, 0 }, { 0, Uniform(0.9, 1.1), 0, 0 }, { 0, 0, Uniform(0.9, 1.1), 0 }, { 0, 0, 0, 1 } });
        var shift = new AffineMatrix(new double[,] { { 1, 0, 0, Uniform(-20, 20) }, { 0, 1, 0, Uniform(-20, 20) }, { 0, 0, 1, Uniform(-20, 20) }, { 0, 0, 0, 1 } });
        return shift.Multiply(rz).Multiply(ry).Multiply(rx).Multiply(scale);
    }
}
