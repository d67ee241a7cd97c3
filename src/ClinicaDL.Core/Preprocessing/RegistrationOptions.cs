namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// How <see cref="AffineRegistration"/> works: the schedule of antsRegistrationSyNQuick's rigid and affine
/// stages (Mattes mutual information, 32 bins, a coarse-to-fine pyramid), shortened to the levels that matter
/// for a 1 mm head.
/// </summary>
public sealed record RegistrationOptions
{
    /// <summary>
    /// Each pyramid level's voxel size in millimetres, coarse to fine (ANTs' shrink factors for a 1 mm image): an
    /// image is shrunk by the whole factor nearest to it over its own voxel size, never below its own grid, so a
    /// 3 mm image is not averaged into 12 mm voxels at the coarsest level.
    /// </summary>
    public IReadOnlyList<int> ShrinkFactors { get; init; } = [4, 2, 1];

    /// <summary>Gaussian smoothing of each level, in millimetres (ANTs' "vox" sigmas for a 1 mm image).</summary>
    public IReadOnlyList<double> SmoothingSigmas { get; init; } = [2, 1, 0];

    /// <summary>Gradient steps of the rigid stage at each level.</summary>
    public IReadOnlyList<int> RigidIterations { get; init; } = [120, 60, 30];

    /// <summary>Gradient steps of the affine stage at each level.</summary>
    public IReadOnlyList<int> AffineIterations { get; init; } = [120, 60, 30];

    /// <summary>Joint histogram bins of the mutual information (ANTs' default for MI).</summary>
    public int HistogramBins { get; init; } = 32;

    /// <summary>Template voxels drawn at each level (a seeded random sample, the pool the batches come from).</summary>
    public int SamplePoints { get; init; } = 200_000;

    /// <summary>
    /// Samples per gradient step, drawn from the level's pool with the seed: a step's cost grows faster than its
    /// batch (index_add and grid_sample leave the caches), so many small batches see more of the template than
    /// a few large ones in the same time.
    /// </summary>
    public int BatchSize { get; init; } = 10_000;

    /// <summary>Seed of the voxel samples.</summary>
    public int Seed { get; init; }

    /// <summary>The shrink factor that brings a grid of this voxel size nearest to the level's size.</summary>
    internal int Shrink(int level, Volume volume) => Math.Max(1, (int)Math.Round(ShrinkFactors[level] / MeanSpacing(volume)));

    /// <summary>The level's smoothing in the volume's full-resolution voxels.</summary>
    internal double Sigma(int level, Volume volume) => SmoothingSigmas[level] / MeanSpacing(volume);

    private static double MeanSpacing(Volume volume) => Math.Max(1e-3, volume.Spacing.Average());

    /// <summary>
    /// The seed of one random stream (a level's sample pool, or a stage's batches), derived arithmetically from
    /// <see cref="Seed"/>: .NET string and tuple hashes are salted per process, so they would give other bits in every run.
    /// </summary>
    internal int StreamSeed(int level, int stream) => unchecked(Seed * 1_000_003 + level * 7_919 + stream * 104_729);

    internal void Validate()
    {
        var levels = ShrinkFactors.Count;
        if (levels == 0 || SmoothingSigmas.Count != levels || RigidIterations.Count != levels || AffineIterations.Count != levels)
        {
            throw new ArgumentException("The registration schedule needs as many smoothing sigmas and iteration counts as shrink factors.");
        }
        if (ShrinkFactors.Any(s => s < 1) || SmoothingSigmas.Any(s => s < 0 || !double.IsFinite(s)) || HistogramBins < 8 || SamplePoints < 1000 || BatchSize < 1000)
        {
            throw new ArgumentException("Shrink factors are 1 or more, smoothing sigmas 0 or more, at least 8 bins, 1000 sample points and 1000 per batch.");
        }
    }
}
