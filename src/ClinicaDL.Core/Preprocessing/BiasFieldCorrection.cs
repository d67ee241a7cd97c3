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
        var (lattice, axes, iterations, convergence) = FitLogField(grid, image.Spacing, options, cancellation);

        var spacing = image.Spacing;
        var fullPositions = Enumerable.Range(0, 3)
            .Select(axis => (IReadOnlyList<double>)Enumerable.Range(0, image.Shape[axis]).Select(i => i * spacing[axis]).ToArray())
            .ToArray();
        var logField = BSplineLatticeFitter.Separable(lattice,
            axes[2].Basis(fullPositions[2]).t(), axes[1].Basis(fullPositions[1]).t(), axes[0].Basis(fullPositions[0]).t());
        var field = logField.exp_();
        var inside = tensor(foreground.Values, [image.Shape[2], image.Shape[1], image.Shape[0]]).to_type(ScalarType.Float64);
        var mean = (field * inside).sum().item<double>() / inside.sum().item<double>();
        var normalised = (field / mean).to_type(ScalarType.Float32);
        var corrected = tensor(image.Values, [image.Shape[2], image.Shape[1], image.Shape[0]]) / normalised;
        return new BiasFieldResult(
            image.WithValues(corrected.data<float>().ToArray()),
            image.WithValues(normalised.data<float>().ToArray()),
            foreground,
            iterations,
            convergence);
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
            using (var levelScope = NewDisposeScope())
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
                    var updated = lattice + fitter.Fit(tensor(residual, gridShape));
                    var newField = fitter.Evaluate(updated).view(-1).data<double>().ToArray();
                    convergence = ChangeVariation(logField, newField, grid.Voxels);
                    for (var p = 0; p < count; p++)
                    {
                        logField[p] = newField[grid.Voxels[p]];
                    }
                    lattice.Dispose();
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
        var values = mask.Values.Select(v => v != 0 && !float.IsNaN(v) ? 1f : 0f).ToArray();
        if (!values.Contains(1f))
        {
            throw new PreprocessingException($"The mask is empty: {Step} needs the foreground voxels to estimate the field on.");
        }
        return image.WithValues(values);
    }
}
