using System.Diagnostics;
using System.Globalization;
using ClinicaDL.Core.Generation;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Preprocessing;
using ClinicaDL.Core.Runtime;

namespace ClinicaDL.Bench;

/// <summary>
/// t1-linear's registration and whole pipeline.
/// t1linear_mean_displacement_mm / t1linear_max_displacement_mm: over 10 seeded known transforms (rotations up
/// to 15 degrees, translations up to 20 mm, scales 0.9-1.1), each image resampled onto another grid (voxel size,
/// axis order) with a bias field and noise, the mean over the template's brain of the distance between where the
/// recovered and the true transform put a point; the mean and worst case (goals: under 1 and 2 mm). Five cases
/// move the 1 mm phantom template (the truth is the known transform exactly); five move the real head, whose
/// truth is the known transform composed with the head's own registration (no ground truth exists for a real
/// head: this measures that the answer follows the head).
/// t1linear_seconds_per_image: the pipeline (N4, registration, resampling, writing) over 4 copies of the real
/// head, images in parallel on both cores, wall time over images (goal: at most 20).
/// t1linear_affine_vs_elastix: elastix's time over ours for the affine registration alone of the N4-corrected
/// real head to the template, alternated in one run (Debian's elastix, Mattes MI, 4 levels, affine; goal: at
/// least 1.5), with the mean displacement between the two answers.
/// </summary>
internal static class RegistrationBenchmark
{
    private const int Cases = 5;

    public static void Run(string workFolder)
    {
        var invariant = CultureInfo.InvariantCulture;
        var headPath = SharedTestData.File("t1w", "sub-chris_T1w.nii.gz");
        if (headPath is null)
        {
            Console.WriteLine("t1linear: skipped (../shared/testdata/t1w/sub-chris_T1w.nii.gz is absent; CLINICADL_TESTDATA names another testdata folder)");
            return;
        }
        TorchRuntime.EnsureLoaded();
        var folder = Path.Combine(workFolder, "t1linear");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        Directory.CreateDirectory(folder);
        var template = ReferenceTemplate.Load(null);
        var head = Load(headPath);
        var corrected = BiasFieldCorrection.Correct(head, null, new BiasFieldOptions()).Corrected;
        var random = new Random(20261128);
        var displacements = new List<double>();

        PhantomTemplate.Write(folder, new PhantomGrid(1), yearsOver70: 0, threads: Environment.ProcessorCount, CancellationToken.None);
        var phantom = Load(Path.Combine(folder, PhantomTemplate.ImageName(1)));
        using (var preparedPhantom = RegistrationTemplate.Prepare(phantom, new RegistrationOptions()))
        {
            for (var k = 0; k < Cases; k++)
            {
                var known = RandomTransform(random);
                var moved = Native(phantom, known, random);
                var found = AffineRegistration.Register(preparedPhantom, moved).Transform;
                displacements.Add(MeanDisplacement(found, known, phantom));
                Console.WriteLine(string.Create(invariant, $"t1linear_case_phantom_{k}: {displacements[^1]:F3} mm"));
            }
        }
        using var prepared = RegistrationTemplate.Prepare(template.Volume, new RegistrationOptions());
        var reference = AffineRegistration.Register(prepared, corrected).Transform;
        for (var k = 0; k < Cases; k++)
        {
            var known = RandomTransform(random);
            var moved = Native(corrected, known, random);
            var found = AffineRegistration.Register(prepared, moved).Transform;
            displacements.Add(MeanDisplacement(found, known.Multiply(reference), template.Volume));
            Console.WriteLine(string.Create(invariant, $"t1linear_case_real_head_{k}: {displacements[^1]:F3} mm"));
        }
        Console.WriteLine(string.Create(invariant, $"t1linear_mean_displacement_mm: {displacements.Average():F3}"));
        Console.WriteLine(string.Create(invariant, $"t1linear_max_displacement_mm: {displacements.Max():F3}"));

        Console.WriteLine(string.Create(invariant, $"t1linear_seconds_per_image: {SecondsPerImage(folder, headPath):F2}"));

        CompareWithElastix(folder, template, corrected, prepared);
    }

    private static double SecondsPerImage(string folder, string headPath)
    {
        const int images = 4;
        var bids = Path.Combine(folder, "bids");
        var inputs = new List<T1LinearInput>();
        for (var i = 1; i <= images; i++)
        {
            var anat = Path.Combine(bids, $"sub-{i:D2}", "ses-M000", "anat");
            Directory.CreateDirectory(anat);
            var path = Path.Combine(anat, $"sub-{i:D2}_ses-M000_T1w.nii.gz");
            File.Copy(headPath, path);
            inputs.Add(new T1LinearInput($"sub-{i:D2}", "ses-M000", path));
        }
        var watch = Stopwatch.StartNew();
        var results = T1LinearPipeline.Run(inputs, new T1LinearOptions { CapsPath = Path.Combine(folder, "caps") });
        var seconds = watch.Elapsed.TotalSeconds;
        if (results.FirstOrDefault(r => r.Status != T1LinearStatus.Done) is { } failed)
        {
            throw new InvalidOperationException($"{failed.SourcePath} was not preprocessed: {failed.Error?.Message}");
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"t1linear_real_head_template_correlation: {results.Average(r => r.TemplateCorrelation):F4} ({images} images in {seconds:F1} s, {Environment.ProcessorCount} cores)"));
        return seconds / images;
    }

    private static void CompareWithElastix(string folder, ReferenceTemplate template, Volume corrected, RegistrationTemplate prepared)
    {
        var invariant = CultureInfo.InvariantCulture;
        var elastix = Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator).Select(p => Path.Combine(p, "elastix")).FirstOrDefault(File.Exists);
        if (elastix is null)
        {
            Console.WriteLine("t1linear_affine_vs_elastix: skipped (elastix is not on PATH; Debian: apt-get install elastix)");
            return;
        }
        var moving = Path.Combine(folder, "head_n4.nii.gz");
        NiftiWriter.Write(moving, corrected.Shape, corrected.Values, corrected.Affine);
        var parameters = Path.Combine(folder, "elastix_affine.txt");
        File.WriteAllText(parameters, ElastixParameters);
        var output = Path.Combine(folder, "elastix");
        Directory.CreateDirectory(output);
        AffineMatrix? ours = null;
        // Ours on one libtorch thread (its operations are too small for two to pay), elastix on all cores.
        using var threads = TorchRuntime.UseThreads(1);
        var (elastixSeconds, oursSeconds, ratio) = Timing.Paired(
            () => Timing.Shell("\"$1\" -f \"$2\" -m \"$3\" -p \"$4\" -out \"$5\" > /dev/null", elastix, template.Path, moving, parameters, output),
            () => ours = AffineRegistration.Register(prepared, corrected).Transform,
            pairs: 2);
        var theirs = ReadElastixTransform(Path.Combine(output, "TransformParameters.0.txt"));
        Console.WriteLine(string.Create(invariant, $"t1linear_affine_seconds: {oursSeconds:F2} on 1 thread (elastix {elastixSeconds:F2} on {Environment.ProcessorCount})"));
        Console.WriteLine(string.Create(invariant, $"t1linear_affine_vs_elastix: {ratio:F2}"));
        Console.WriteLine(string.Create(invariant, $"t1linear_vs_elastix_mean_displacement_mm: {MeanDisplacement(ours!, theirs, template.Volume):F3}"));
    }

    /// <summary>elastix's affine Mattes MI registration as its manual's example (par0000 style), 4 levels.</summary>
    private const string ElastixParameters = """
        (FixedInternalImagePixelType "float")
        (MovingInternalImagePixelType "float")
        (FixedImageDimension 3)
        (MovingImageDimension 3)
        (Registration "MultiResolutionRegistration")
        (FixedImagePyramid "FixedSmoothingImagePyramid")
        (MovingImagePyramid "MovingSmoothingImagePyramid")
        (Interpolator "BSplineInterpolator")
        (BSplineInterpolationOrder 1)
        (Metric "AdvancedMattesMutualInformation")
        (NumberOfHistogramBins 32)
        (Optimizer "AdaptiveStochasticGradientDescent")
        (Transform "AffineTransform")
        (AutomaticScalesEstimation "true")
        (AutomaticTransformInitialization "true")
        (AutomaticTransformInitializationMethod "CenterOfGravity")
        (HowToCombineTransforms "Compose")
        (NumberOfResolutions 4)
        (MaximumNumberOfIterations 250)
        (ImageSampler "Random")
        (NumberOfSpatialSamples 2048)
        (NewSamplesEveryIteration "true")
        (Resampler "DefaultResampler")
        (ResampleInterpolator "FinalBSplineInterpolator")
        (FinalBSplineInterpolationOrder 3)
        (DefaultPixelValue 0)
        (WriteResultImage "false")
        (ResultImagePixelType "float")
        (ResultImageFormat "nii")
        """;

    /// <summary>elastix's AffineTransform (LPS, fixed to moving, about CenterOfRotationPoint) as a RAS 4x4.</summary>
    private static AffineMatrix ReadElastixTransform(string path)
    {
        double[] Values(string key)
        {
            var line = File.ReadLines(path).First(l => l.StartsWith($"({key} ", StringComparison.Ordinal));
            return line.Trim('(', ')').Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        }
        var p = Values("TransformParameters");
        var c = Values("CenterOfRotationPoint");
        var matrix = new double[4, 4];
        matrix[3, 3] = 1;
        for (var row = 0; row < 3; row++)
        {
            var offset = p[9 + row] + c[row];
            for (var column = 0; column < 3; column++)
            {
                matrix[row, column] = p[row * 3 + column];
                offset -= p[row * 3 + column] * c[column];
            }
            matrix[row, 3] = offset;
        }
        var flip = new AffineMatrix(new double[,] { { -1, 0, 0, 0 }, { 0, -1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } });
        return flip.Multiply(new AffineMatrix(matrix)).Multiply(flip);
    }

    private static Volume Load(string path)
    {
        var header = NiftiReader.ReadHeader(path);
        return new Volume(NiftiReader.ReadSingle(path, out _), [header.Shape[0], header.Shape[1], header.Shape[2]], header.Affine);
    }

    /// <summary>The image as a scanner would store it after the known move: another voxel size and axis order, a smooth bias, noise.</summary>
    private static Volume Native(Volume image, AffineMatrix known, Random random)
    {
        var spacing = image.Spacing;
        var size = new[] { spacing[0] * (0.9 + 0.3 * random.NextDouble()), spacing[1] * (0.9 + 0.3 * random.NextDouble()), spacing[2] * (0.9 + 0.3 * random.NextDouble()) };
        // Stored in P-I-L order: the rows of the affine permuted and flipped.
        var axes = new AffineMatrix(new double[,] { { 0, 0, -size[2], 0 }, { -size[0], 0, 0, 0 }, { 0, -size[1], 0, 0 }, { 0, 0, 0, 1 } });
        var extent = image.Shape.Select((n, i) => n * spacing[i]).ToArray();
        int[] shape = [(int)(extent[1] * 1.15 / size[0]), (int)(extent[2] * 1.15 / size[1]), (int)(extent[0] * 1.15 / size[2])];
        var imageCentre = image.Affine.Apply((image.Shape[0] - 1) / 2.0, (image.Shape[1] - 1) / 2.0, (image.Shape[2] - 1) / 2.0);
        var movedCentre = known.Apply(imageCentre[0], imageCentre[1], imageCentre[2]);
        var gridCentre = axes.Apply((shape[0] - 1) / 2.0, (shape[1] - 1) / 2.0, (shape[2] - 1) / 2.0);
        var affine = new AffineMatrix(new double[,]
        {
            { 1, 0, 0, movedCentre[0] - gridCentre[0] }, { 0, 1, 0, movedCentre[1] - gridCentre[1] }, { 0, 0, 1, movedCentre[2] - gridCentre[2] }, { 0, 0, 0, 1 },
        }).Multiply(axes);
        var native = VolumeResampler.Resample(image, known.Inverse(), shape, affine);
        var level = native.Values.Max() * 0.02;
        var noise = new Random(random.Next());
        var values = native.Values.Select((v, i) =>
        {
            var y = i / shape[0] % shape[1];
            var bias = 1 + 0.2 * (y / (double)shape[1] - 0.5);
            return (float)Math.Max(0, v * bias + level * (noise.NextDouble() + noise.NextDouble() - 1));
        }).ToArray();
        return native.WithValues(values);
    }

    private static double MeanDisplacement(AffineMatrix a, AffineMatrix b, Volume template)
    {
        var (nx, ny) = (template.Shape[0], template.Shape[1]);
        double total = 0;
        var count = 0;
        for (var i = 0; i < template.Values.Length; i += 5)
        {
            if (template.Values[i] <= 0)
            {
                continue;
            }
            var p = template.Affine.Apply(i % nx, i / nx % ny, i / (nx * ny));
            var u = a.Apply(p[0], p[1], p[2]);
            var v = b.Apply(p[0], p[1], p[2]);
            total += Math.Sqrt((u[0] - v[0]) * (u[0] - v[0]) + (u[1] - v[1]) * (u[1] - v[1]) + (u[2] - v[2]) * (u[2] - v[2]));
            count++;
        }
        return total / count;
    }

    /// <summary>Scales 0.9-1.1, rotations up to 15 degrees about each axis, translations up to 20 mm, about the brain's centre region.</summary>
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
