namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// The settings of N4 bias field correction, named and defaulted as ANTs' N4BiasFieldCorrection and Clinica's
/// t1-linear use them (shrink factor 4, four fitting levels of 50 iterations, a 300 mm B-spline distance,
/// histogram sharpening with a 0.15 FWHM, a 0.01 Wiener noise and 200 bins).
/// </summary>
public sealed class BiasFieldOptions
{
    /// <summary>The field is estimated on every ShrinkFactor-th voxel along each axis, then evaluated at full resolution.</summary>
    public int ShrinkFactor { get; init; } = 4;

    /// <summary>B-spline levels; each halves the control point spacing of the one before.</summary>
    public int FittingLevels { get; init; } = 4;

    /// <summary>The most iterations at each fitting level.</summary>
    public int MaximumIterations { get; init; } = 50;

    /// <summary>A level stops when the coefficient of variation of the field's change in one iteration falls below this.</summary>
    public double ConvergenceThreshold { get; init; } = 0.001;

    /// <summary>The control point spacing of the first level (Clinica's bspline_fitting_distance).</summary>
    public double SplineDistanceMillimetres { get; init; } = 300;

    /// <summary>Bins of the log-intensity histogram that sharpening deconvolves.</summary>
    public int HistogramBins { get; init; } = 200;

    /// <summary>The full width at half maximum of the Gaussian blur the bias field is assumed to put on the log-intensity histogram.</summary>
    public double BiasFwhm { get; init; } = 0.15;

    /// <summary>The noise term of the Wiener filter that deconvolves the histogram.</summary>
    public double WienerNoise { get; init; } = 0.01;

    /// <summary>libtorch intra-op threads for the correction; 0 leaves the calling thread's current count.</summary>
    public int Threads { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ShrinkFactor, 1, nameof(ShrinkFactor));
        ArgumentOutOfRangeException.ThrowIfLessThan(FittingLevels, 1, nameof(FittingLevels));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaximumIterations, 1, nameof(MaximumIterations));
        ArgumentOutOfRangeException.ThrowIfNegative(ConvergenceThreshold, nameof(ConvergenceThreshold));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SplineDistanceMillimetres, nameof(SplineDistanceMillimetres));
        ArgumentOutOfRangeException.ThrowIfLessThan(HistogramBins, 2, nameof(HistogramBins));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BiasFwhm, nameof(BiasFwhm));
        ArgumentOutOfRangeException.ThrowIfNegative(WienerNoise, nameof(WienerNoise));
        ArgumentOutOfRangeException.ThrowIfNegative(Threads, nameof(Threads));
    }
}
