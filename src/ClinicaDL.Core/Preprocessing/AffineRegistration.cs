using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// Affine (12 degrees of freedom) registration of a participant's T1w image to a template, as
/// antsRegistrationSyNQuick's "-t a": centres of mass aligned, then a rigid stage and an affine stage, each over a
/// coarse-to-fine pyramid, maximising Mattes mutual information on a seeded sample of template voxels. The
/// gradient comes from libtorch's autograd through grid_sample; the steps are Adam's, whose step sizes are in the
/// parameters' own units (millimetres, fiftieths of a radian), so one schedule fits every head.
/// </summary>
public static class AffineRegistration
{
    /// <summary>Rotation and linear-part parameters are in fiftieths (0.02 rad, 2 % scale): a unit then moves the
    /// edge of a brain by about as much as a millimetre of translation does, so Adam's per-parameter steps balance.</summary>
    private const double LinearUnit = 50;

    /// <summary>Adam's first step at a level is this many parameter units per millimetre of the level's voxel size.</summary>
    private const double StepPerLevelMillimetre = 0.3;

    /// <summary>
    /// Isotropic sizes (participant over template) the whole schedule runs from; the answer that fits best at
    /// full resolution wins. A whole head against a brain-extracted template has a second, wrong optimum (the head
    /// fitted inside the brain) that one start falls into or not depending on the image's grid and noise: from
    /// one start, the real head's answers under known moves differed by 11 mm in 3 of 5 cases, and choosing the
    /// start at the coarsest level moved one phantom by 60 mm.
    /// </summary>
    private static readonly double[] StartScales = [0.9, 1.1];

    /// <summary>Full-resolution samples the starts' answers are compared on (one fixed, seeded batch).</summary>
    private const int ComparisonSamples = 100_000;

    /// <summary>The step decays geometrically to this fraction of the first over a level.</summary>
    private const double FinalStepFraction = 0.05;

    /// <summary>Registers one image to a template prepared once (<see cref="RegistrationTemplate.Prepare"/>).</summary>
    public static RegistrationResult Register(RegistrationTemplate template, Volume image, CancellationToken cancellation = default)
    {
        var options = template.Options;
        var centre = template.Centre;
        var imageCentre = CentreOfMass(image);
        var startTranslation = new[] { imageCentre[0] - centre[0], imageCentre[1] - centre[1], imageCentre[2] - centre[2] };
        var levels = new List<PyramidLevel>();
        try
        {
            for (var level = 0; level < options.ShrinkFactors.Count; level++)
            {
                cancellation.ThrowIfCancellationRequested();
                levels.Add(PyramidLevel.Build(image, options.Shrink(level, image), options.Sigma(level, image)));
            }
            var iterations = 0;
            (double[,] Linear, double[] Translation, double Information)? best = null;
            foreach (var scale in StartScales)
            {
                var linear = new double[,] { { scale, 0, 0 }, { 0, scale, 0 }, { 0, 0, scale } };
                var translation = startTranslation;
                // As antsRegistrationSyNQuick: the rigid stage over the whole pyramid, then the affine stage over it again.
                foreach (var rigid in new[] { true, false })
                {
                    for (var level = 0; level < levels.Count; level++)
                    {
                        var steps = (rigid ? options.RigidIterations : options.AffineIterations)[level];
                        var firstStep = StepPerLevelMillimetre * Math.Max(options.ShrinkFactors[level], template.Levels[level].Pyramid.Spacing.Average());
                        var batches = new Random(options.StreamSeed(level, rigid ? 1 : 2));
                        (linear, translation, _) = Optimise(template.Levels[level], levels[level], rigid, linear, translation, centre, steps, firstStep,
                            batches, options.BatchSize, cancellation);
                        iterations += steps;
                    }
                }
                // Compared with no step taken (step size 0) on one seeded full-resolution batch, the same for every start.
                var (_, _, information) = Optimise(template.Levels[^1], levels[^1], rigid: true, linear, translation, centre, steps: 1, firstStep: 0,
                    new Random(options.Seed), ComparisonSamples, cancellation);
                if (best is null || information > best.Value.Information)
                {
                    best = (linear, translation, information);
                }
            }
            return new RegistrationResult
            {
                Transform = ToAffine(best!.Value.Linear, best.Value.Translation, centre),
                Centre = centre,
                MutualInformation = best.Value.Information,
                Iterations = iterations,
            };
        }
        finally
        {
            levels.ForEach(l => l.Dispose());
        }
    }

    /// <summary>x_image = A (x_template - c) + c + t as one 4x4 matrix.</summary>
    private static AffineMatrix ToAffine(double[,] linear, double[] translation, double[] centre)
    {
        var matrix = new double[4, 4];
        matrix[3, 3] = 1;
        for (var row = 0; row < 3; row++)
        {
            var offset = centre[row] + translation[row];
            for (var column = 0; column < 3; column++)
            {
                matrix[row, column] = linear[row, column];
                offset -= linear[row, column] * centre[column];
            }
            matrix[row, 3] = offset;
        }
        return new AffineMatrix(matrix);
    }

    private static (double[,] Linear, double[] Translation, double Information) Optimise(RegistrationTemplate.Level template, PyramidLevel image, bool rigid,
        double[,] linear, double[] translation, double[] centre, int steps, double firstStep, Random batches, int batchSize, CancellationToken cancellation)
    {
        if (steps == 0)
        {
            return (linear, translation, double.NaN);
        }
        using var scope = NewDisposeScope();
        var points = template.Points;
        var metric = template.Metric;
        var imageRange = IntensityRange.Robust(image.Image.flatten().data<float>().ToArray());
        var worldToVoxel = image.Affine.Inverse();
        var toVoxel = tensor(new float[]
        {
            (float)worldToVoxel[0, 0], (float)worldToVoxel[1, 0], (float)worldToVoxel[2, 0],
            (float)worldToVoxel[0, 1], (float)worldToVoxel[1, 1], (float)worldToVoxel[2, 1],
            (float)worldToVoxel[0, 2], (float)worldToVoxel[1, 2], (float)worldToVoxel[2, 2],
        }).reshape(3, 3);
        var voxelOffset = tensor(new[] { (float)worldToVoxel[0, 3], (float)worldToVoxel[1, 3], (float)worldToVoxel[2, 3] });
        // align_corners: voxel 0 is -1 and voxel n-1 is +1.
        var normalise = tensor(image.Shape.Select(n => 2f / Math.Max(1, n - 1)).ToArray());
        var centreTensor = tensor(centre.Select(v => (float)v).ToArray());
        var startLinear = tensor(Flatten(linear)).reshape(3, 3);
        var startTranslation = tensor(translation.Select(v => (float)v).ToArray());
        var count = rigid ? 6 : 12;
        var parameters = zeros(count, requires_grad: true);
        var firstMoment = zeros(count);
        var secondMoment = zeros(count);
        var decay = Math.Pow(FinalStepFraction, 1.0 / Math.Max(1, steps - 1));
        var centred = points - centreTensor;
        var poolSize = (int)points.shape[0];
        var sampleCount = Math.Min(batchSize, poolSize);
        var loss = 0.0;
        for (var step = 0; step < steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var stepScope = NewDisposeScope();
            using var scalars = new ScalarScope();
            var batch = tensor(Enumerable.Range(0, sampleCount).Select(_ => (long)batches.Next(poolSize)).ToArray());
            var (matrix, shift) = Transform(parameters, rigid, startLinear, startTranslation, scalars);
            var moved = centred.index_select(0, batch).matmul(matrix.t()).Plus(centreTensor).Plus(shift);
            var grid = (moved.matmul(toVoxel).Plus(voxelOffset) * normalise - scalars.Of(1L)).reshape(1, 1, 1, sampleCount, 3);
            var sampled = nn.functional.grid_sample(image.Image, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: true).reshape(sampleCount);
            var objective = metric.Loss(batch, sampled, imageRange);
            objective.backward();
            loss = objective.item<float>();
            using (no_grad())
            {
                var gradient = parameters.grad!;
                firstMoment.mul_(scalars.Of(0.9)).add_(gradient, alpha: scalars.Of(0.1));
                secondMoment.mul_(scalars.Of(0.999)).add_(gradient.pow(scalars.Of(2L)), alpha: scalars.Of(0.001));
                var corrected = firstMoment / scalars.Of(1 - Math.Pow(0.9, step + 1));
                var scale = (secondMoment / scalars.Of(1 - Math.Pow(0.999, step + 1))).sqrt().Plus(scalars.Of(1e-8));
                parameters.sub_(corrected / scale * scalars.Of(firstStep * Math.Pow(decay, step)));
                gradient.zero_();
            }
        }
        using (no_grad())
        using (var scalars = new ScalarScope())
        {
            var (matrix, shift) = Transform(parameters, rigid, startLinear, startTranslation, scalars);
            var values2 = matrix.to_type(ScalarType.Float64).data<double>().ToArray();
            var result = new double[3, 3];
            for (var i = 0; i < 9; i++)
            {
                result[i / 3, i % 3] = values2[i];
            }
            return (result, shift.to_type(ScalarType.Float64).data<double>().ToArray(), -loss);
        }
    }

    /// <summary>
    /// The linear part and translation for the current parameters: a rotation (matrix exponential of a skew
    /// matrix) composed with the start for the rigid stage, the start plus a free 3x3 increment for the affine one.
    /// </summary>
    private static (Tensor Linear, Tensor Translation) Transform(Tensor parameters, bool rigid, Tensor startLinear, Tensor startTranslation, ScalarScope scalars)
    {
        if (rigid)
        {
            var angles = parameters.narrow(0, 0, 3) / scalars.Of(LinearUnit);
            var zero = zeros(1);
            var skew = stack(
            [
                zero, -angles[2].unsqueeze(0), angles[1].unsqueeze(0),
                angles[2].unsqueeze(0), zero, -angles[0].unsqueeze(0),
                -angles[1].unsqueeze(0), angles[0].unsqueeze(0), zero,
            ]).reshape(3, 3);
            return (linalg.matrix_exp(skew).matmul(startLinear), startTranslation.Plus(parameters.narrow(0, 3, 3)));
        }
        return (startLinear.Plus(parameters.narrow(0, 0, 9).reshape(3, 3) / scalars.Of(LinearUnit)), startTranslation.Plus(parameters.narrow(0, 9, 3)));
    }

    /// <summary>The intensity-weighted centre of the image in world millimetres.</summary>
    internal static double[] CentreOfMass(Volume volume)
    {
        var (nx, ny, nz) = (volume.Shape[0], volume.Shape[1], volume.Shape[2]);
        var sums = new double[4];
        var values = volume.Values;
        for (var z = 0; z < nz; z++)
        {
            for (var y = 0; y < ny; y++)
            {
                var row = (z * ny + y) * nx;
                for (var x = 0; x < nx; x++)
                {
                    var weight = Math.Max(0, values[row + x]);
                    sums[0] += weight * x;
                    sums[1] += weight * y;
                    sums[2] += weight * z;
                    sums[3] += weight;
                }
            }
        }
        if (sums[3] <= 0)
        {
            throw new PreprocessingException("The image has no positive intensity: it has no centre of mass to start from.");
        }
        return volume.Affine.Apply(sums[0] / sums[3], sums[1] / sums[3], sums[2] / sums[3]);
    }

    private static float[] Flatten(double[,] matrix) => [.. matrix.Cast<double>().Select(v => (float)v)];
}
