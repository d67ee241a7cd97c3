using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// A template made ready for <see cref="AffineRegistration"/>: its pyramid, the seeded sample of voxels at each
/// level and their histogram windows, computed once and shared (read-only) by every image of a run.
/// </summary>
public sealed class RegistrationTemplate : IDisposable
{
    /// <summary>How far beyond the template's foreground the sample reaches: CSF and bone of a whole head, not its scalp.</summary>
    private const double BackgroundBandMillimetres = 4;

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
                var pyramid = PyramidLevel.Build(template, options.Shrink(level, template), options.Sigma(level, template));
                levels.Add(Sample(pyramid, options.SamplePoints, options.StreamSeed(level, 0), options.HistogramBins));
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
    /// A seeded sample of the level's voxels (world millimetres) in the template's foreground and a thin band
    /// around it. Far background says nothing about the alignment, and against a brain-extracted template it
    /// misleads: sampled widely (as elastix and ANTs do), the empty space around the brain pairs best with the air
    /// around a whole head, and the head is fitted inside the brain (scales ~10 % too small on the real head).
    /// Brain only, the template's border can rest on the head's cortex. A 4 mm band, where a head has CSF and
    /// bone, gives the same scales (within 0.03) as sampling only the brain's interior (eroded 8 or 14 mm, with
    /// mutual information or correlation alike), which no border can bias.
    /// </summary>
    private static Level Sample(PyramidLevel pyramid, int count, int seed, int bins)
    {
        using var scope = NewDisposeScope();
        var values = pyramid.Image.flatten().data<float>().ToArray();
        var ceiling = IntensityRange.Percentile(values, 0.99);
        var spacing = Math.Max(1e-3, pyramid.Spacing.Min());
        var radius = Math.Max(1, (int)Math.Ceiling(BackgroundBandMillimetres / spacing));
        using var threshold = (0.01 * ceiling).ToScalar();
        var foreground = pyramid.Image.gt(threshold).to_type(ScalarType.Float32);
        // A box dilation is separable: three one-axis max pools instead of one (2r+1)^3 window per voxel.
        var width = 2 * radius + 1;
        var band = nn.functional.max_pool3d(foreground, [width, 1, 1], [1, 1, 1], [radius, 0, 0]);
        band = nn.functional.max_pool3d(band, [1, width, 1], [1, 1, 1], [0, radius, 0]);
        band = nn.functional.max_pool3d(band, [1, 1, width], [1, 1, 1], [0, 0, radius]);
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
