using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// A template made ready for <see cref="AffineRegistration"/>: its pyramid, the seeded sample of voxels at each
/// level and their histogram windows, computed once and shared (read-only) by every image of a run.
/// </summary>
public sealed class RegistrationTemplate : IDisposable
{
    /// <summary>How far beyond the template's foreground the sample reaches (scalp and skull of a whole head).</summary>
    private const double BackgroundBandMillimetres = 15;

    private readonly List<Level> _levels;

    private RegistrationTemplate(Volume template, RegistrationOptions options, List<Level> levels, double[] centre)
    {
        Volume = template;
        Options = options;
        _levels = levels;
        Centre = centre;
    }

    public Volume Volume { get; }

    public RegistrationOptions Options { get; }

    /// <summary>The template's centre of mass (world millimetres): the centre of rotation and scaling.</summary>
    public double[] Centre { get; }

    internal IReadOnlyList<Level> Levels => _levels;

    public static RegistrationTemplate Prepare(Volume template, RegistrationOptions options)
    {
        options.Validate();
        var centre = AffineRegistration.CentreOfMass(template);
        var levels = new List<Level>();
        try
        {
            for (var level = 0; level < options.ShrinkFactors.Count; level++)
            {
                var pyramid = PyramidLevel.Build(template, options.ShrinkFactors[level], options.SmoothingSigmas[level]);
                levels.Add(Sample(pyramid, options.SamplePoints, HashCode.Combine(options.Seed, level), options.HistogramBins));
            }
            return new RegistrationTemplate(template, options, levels, centre);
        }
        catch
        {
            levels.ForEach(l => l.Dispose());
            throw;
        }
    }

    /// <summary>
    /// A seeded sample of the level's voxels (world millimetres) in the template's foreground and a band of
    /// background around it: a brain-extracted template is mostly empty space far from the head, which says
    /// nothing about the alignment, but the band just outside the brain is what stops the metric from fitting
    /// the template's brain inside a whole head (matching brain to brain and nothing else rewards shrinking it).
    /// </summary>
    private static Level Sample(PyramidLevel pyramid, int count, int seed, int bins)
    {
        using var scope = NewDisposeScope();
        var values = pyramid.Image.flatten().data<float>().ToArray();
        var ceiling = IntensityRange.Percentile(values, 0.99);
        var spacing = Math.Max(1e-3, pyramid.Spacing.Min());
        var radius = Math.Max(1, (int)Math.Ceiling(BackgroundBandMillimetres / spacing));
        var foreground = pyramid.Image.gt(0.01 * ceiling).to_type(ScalarType.Float32);
        var band = nn.functional.max_pool3d(foreground, [2 * radius + 1, 2 * radius + 1, 2 * radius + 1], [1, 1, 1], [radius, radius, radius]);
        var inBand = band.flatten().data<float>().ToArray();
        var pool = new List<int>();
        var brain = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (inBand[i] > 0)
            {
                pool.Add(i);
                brain += values[i] > 0.01 * ceiling ? 1 : 0;
            }
        }
        if (brain < 100)
        {
            pyramid.Dispose();
            throw new PreprocessingException("The template has almost no foreground: fewer than 100 voxels above 1 % of its 99th percentile.");
        }
        var random = new Random(seed);
        var chosen = pool.Count <= count ? pool.ToArray() : Enumerable.Range(0, count).Select(_ => pool[random.Next(pool.Count)]).ToArray();
        var (nx, ny) = (pyramid.Shape[0], pyramid.Shape[1]);
        var points = new float[chosen.Length * 3];
        var sampled = new float[chosen.Length];
        for (var n = 0; n < chosen.Length; n++)
        {
            var index = chosen[n];
            var world = pyramid.Affine.Apply(index % nx, index / nx % ny, index / (nx * ny));
            points[3 * n] = (float)world[0];
            points[3 * n + 1] = (float)world[1];
            points[3 * n + 2] = (float)world[2];
            sampled[n] = values[index];
        }
        var fixedValues = tensor(sampled);
        var metric = new MattesMutualInformation(fixedValues, IntensityRange.Robust(sampled), bins);
        return new Level(pyramid, tensor(points).reshape(chosen.Length, 3).DetachFromDisposeScope(), metric);
    }

    public void Dispose() => _levels.ForEach(l => l.Dispose());

    internal sealed class Level(PyramidLevel pyramid, Tensor points, MattesMutualInformation metric) : IDisposable
    {
        public PyramidLevel Pyramid { get; } = pyramid;

        /// <summary>[samples, 3] world millimetres.</summary>
        public Tensor Points { get; } = points;

        public MattesMutualInformation Metric { get; } = metric;

        public void Dispose()
        {
            Pyramid.Dispose();
            Points.Dispose();
            Metric.Dispose();
        }
    }
}
