namespace ClinicaDL.Core.Generation;

/// <summary>
/// One participant's anatomy: how its phantom differs from the template (size, ventricles, hippocampi,
/// folding, intensity, bias field). Drawn once per participant and kept across sessions.
/// </summary>
internal sealed record PhantomAnatomy(
    double Size,
    double VentricleScale,
    double LeftHippocampusScale,
    double RightHippocampusScale,
    double IntensityScale,
    double FoldPhaseX,
    double FoldPhaseY,
    double FoldPhaseZ,
    double BiasX,
    double BiasY,
    double BiasZ,
    double ShapeX,
    double ShapeY)
{
    public static PhantomAnatomy Draw(Random random) => new(
        Size: 1 + 0.035 * Gaussian(random),
        VentricleScale: Math.Exp(0.15 * Gaussian(random)),
        LeftHippocampusScale: 1 + 0.06 * Gaussian(random),
        RightHippocampusScale: 1 + 0.06 * Gaussian(random),
        IntensityScale: 0.9 + 0.2 * random.NextDouble(),
        FoldPhaseX: 2 * Math.PI * random.NextDouble(),
        FoldPhaseY: 2 * Math.PI * random.NextDouble(),
        FoldPhaseZ: 2 * Math.PI * random.NextDouble(),
        BiasX: 0.06 * Gaussian(random),
        BiasY: 0.06 * Gaussian(random),
        BiasZ: 0.06 * Gaussian(random),
        ShapeX: 0.03 * Gaussian(random),
        ShapeY: 0.03 * Gaussian(random));

    /// <summary>
    /// The population's mean anatomy (every drawn term at its mean or median); the folding phases, uniform over a
    /// period, have no mean: whoever needs the mean brain averages over several of them.
    /// </summary>
    public static PhantomAnatomy Mean { get; } = new(Size: 1, VentricleScale: 1, LeftHippocampusScale: 1, RightHippocampusScale: 1,
        IntensityScale: 1, FoldPhaseX: 0, FoldPhaseY: 0, FoldPhaseZ: 0, BiasX: 0, BiasY: 0, BiasZ: 0, ShapeX: 0, ShapeY: 0);

    internal static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
