using ClinicaDL.Core.Runtime;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// N4 bias field correction (Tustison et al. 2010, as ITK's N4BiasFieldCorrectionImageFilter and ANTs'
/// N4BiasFieldCorrection do it): on the log intensities inside a foreground mask, on an image shrunk by a whole
/// factor, each iteration sharpens the histogram of the current corrected image, fits a cubic B-spline to the
/// residual (the current image minus its sharpened version) and adds it to the log field, until the field stops
/// changing or the level's iterations run out; each fitting level halves the control point spacing. The final
/// lattice is then evaluated at every full-resolution voxel (not upsampled from the shrunk grid) and divided out.
/// </summary>
public static class BiasFieldCorrection
{
    private const string Step = "Bias field correction";

    public static BiasFieldResult Correct(Volume image, Volume? mask, BiasFieldOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var (minimum, maximum) = IntensityRange.Of(image, Step);
        if (maximum <= minimum)
        {
            throw new PreprocessingException($"{Step} needs contrast, but the image has one intensity ({minimum}) everywhere.");
        }
        var foreground = mask is null ? ForegroundMask.Otsu(image) : Binarised(mask, image);
        cancellation.ThrowIfCancellationRequested();

        TorchRuntime.EnsureLoaded();
        using var threads = options.Threads > 0 ? TorchRuntime.UseThreads(options.Threads) : null;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var grid = ShrunkGrid.Of(image, foreground, options.ShrinkFactor);
        (Tensor Lattice, BSplineAxis[] Axes, int Iterations, double Convergence) fit;
        // The shrunk grid's products are too small for a second thread to pay for its fork and join, which on a
        // busy machine (a thread descheduled at each join) cost more than the products themselves.
        using (TorchRuntime.UseThreads(1))
        {
            fit = FitLogField(grid, image.Spacing, options, cancellation);
        }
        var field = FullResolutionField(fit.Lattice, fit.Axes, image);
        var corrected = new float[field.Length];
        var (sum, count) = (0.0, 0L);
        for (var i = 0; i < field.Length; i++)
        {
            if (foreground.Values[i] != 0)
            {
                sum += field[i];
                count++;
            }
        }
        var scale = count / sum;
        var slice = image.Shape[0] * image.Shape[1];
        Parallel.For(0, image.Shape[2], new ParallelOptions { MaxDegreeOfParallelism = get_num_threads() }, k =>
        {
            for (var i = k * slice; i < (k + 1) * slice; i++)
            {
                field[i] = (float)(field[i] * scale);
                corrected[i] = image.Values[i] / field[i];
            }
        });
        return new BiasFieldResult(image.WithValues(corrected), image.WithValues(field), foreground, fit.Iterations, fit.Convergence);
    }

    /// <summary>exp of the log field's lattice evaluated at every voxel of the image, x fastest.</summary>
    private static float[] FullResolutionField(Tensor lattice, BSplineAxis[] axes, Volume image)
    {
        using var scope = NewDisposeScope();
        var spacing = image.Spacing;
        var bases = Enumerable.Range(0, 3)
            .Select(axis => axes[axis].Basis(Enumerable.Range(0, image.Shape[axis]).Select(i => i * spacing[axis]).ToArray()).t().to_type(ScalarType.Float32))
            .ToArray();
        var logField = BSplineLatticeFitter.Separable(lattice.to_type(ScalarType.Float32), bases[2], bases[1], bases[0]);
        return TensorValues.ToArray<float>(logField.exp_());
    }

    /// <summary>
    /// N4's iterations on the shrunk grid: returns the log field's control lattice [z, y, x] (in the caller's
    /// dispose scope) with its axes, the iterations run and the last convergence measurement.
    /// </summary>
    private static (Tensor Lattice, BSplineAxis[] Axes, int Iterations, double Convergence) FitLogField(
        ShrunkGrid grid, double[] spacing, BiasFieldOptions options, CancellationToken cancellation)
    {
        var axes = Enumerable.Range(0, 3).Select(axis => BSplineAxis.Over(grid.FullShape[axis], spacing[axis], options.SplineDistanceMillimetres)).ToArray();
        var sharpening = new HistogramSharpening(options.HistogramBins, options.BiasFwhm, options.WienerNoise);
        var count = grid.LogIntensities.Length;
        var logField = new double[count];
        var uncorrected = new double[count];
        var sharpened = new double[count];
        var residual = new double[grid.VoxelCount];
        var gridShape = new long[] { grid.Shape[2], grid.Shape[1], grid.Shape[0] };
        var mask = tensor(grid.Mask(), gridShape);
        var lattice = zeros(axes[2].ControlPoints, axes[1].ControlPoints, axes[0].ControlPoints, ScalarType.Float64);
        var (iterations, convergence) = (0, double.MaxValue);
        for (var level = 0; level < options.FittingLevels; level++)
        {
            using (NewDisposeScope())
            {
                var fitter = new BSplineLatticeFitter(axes, grid.Positions(spacing), mask);
                convergence = double.MaxValue;
                for (var iteration = 0; iteration < options.MaximumIterations && convergence > options.ConvergenceThreshold; iteration++)
                {
                    cancellation.ThrowIfCancellationRequested();
                    using var iterationScope = NewDisposeScope();
                    for (var p = 0; p < count; p++)
                    {
                        uncorrected[p] = grid.LogIntensities[p] - logField[p];
                    }
                    sharpening.Sharpen(uncorrected, sharpened);
                    for (var p = 0; p < count; p++)
                    {
                        residual[grid.Voxels[p]] = uncorrected[p] - sharpened[p];
                    }
                    var updated = lattice.Plus(fitter.Fit(tensor(residual, gridShape)));
                    var newField = TensorValues.ToArray<double>(fitter.Evaluate(updated));
                    convergence = ChangeVariation(logField, newField, grid.Voxels);
                    for (var p = 0; p < count; p++)
                    {
                        logField[p] = newField[grid.Voxels[p]];
                    }
                    lattice.Dispose();
                    // Out of the iteration's scope, then out of the level's (which frees the level's fitter).
                    lattice = updated.MoveToOuterDisposeScope().MoveToOuterDisposeScope();
                    iterations++;
                }
            }
            if (level < options.FittingLevels - 1)
            {
                using var refineScope = NewDisposeScope();
                var refined = BSplineLatticeFitter.Separable(lattice, axes[2].Refinement(), axes[1].Refinement(), axes[0].Refinement());
                lattice.Dispose();
                lattice = refined.MoveToOuterDisposeScope();
                axes = axes.Select(axis => axis.Refined()).ToArray();
            }
        }
        return (lattice, axes, iterations, convergence);
    }

    /// <summary>
    /// ITK's convergence measure: the coefficient of variation, over the masked voxels, of the multiplicative
    /// change exp(old - new) the iteration made to the field.
    /// </summary>
    private static double ChangeVariation(double[] oldField, double[] newField, int[] voxels)
    {
        var sum = 0.0;
        for (var p = 0; p < voxels.Length; p++)
        {
            sum += Math.Exp(oldField[p] - newField[voxels[p]]);
        }
        var mean = sum / voxels.Length;
        var squares = 0.0;
        for (var p = 0; p < voxels.Length; p++)
        {
            var deviation = Math.Exp(oldField[p] - newField[voxels[p]]) - mean;
            squares += deviation * deviation;
        }
        return voxels.Length > 1 ? Math.Sqrt(squares / (voxels.Length - 1)) / mean : 0;
    }

    private static Volume Binarised(Volume mask, Volume image)
    {
        if (!mask.Shape.SequenceEqual(image.Shape))
        {
            throw new PreprocessingException(
                $"The mask's grid ({string.Join("x", mask.Shape)}) is not the image's ({string.Join("x", image.Shape)}); {Step} needs a mask on the image's grid.");
        }
        var values = new float[mask.VoxelCount];
        var inside = 0L;
        for (var i = 0; i < values.Length; i++)
        {
            if (mask.Values[i] != 0 && !float.IsNaN(mask.Values[i]))
            {
                values[i] = 1;
                inside++;
            }
        }
        if (inside == 0)
        {
            throw new PreprocessingException($"The mask is empty: {Step} needs the foreground voxels to estimate the field on.");
        }
        return image.WithValues(values);
    }
}
