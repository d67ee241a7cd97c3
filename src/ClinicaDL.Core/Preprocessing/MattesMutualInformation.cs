using ClinicaDL.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// Mattes et al.'s mutual information (2003): a joint histogram whose samples are spread over their four
/// neighbouring bins by a cubic B-spline Parzen window, so the metric is a smooth function of the moving
/// intensities and autograd gives its gradient with respect to the transform. Each sample adds its 4x4 window
/// products into the histogram (index_add), never a dense samples-by-bins matrix.
/// </summary>
internal sealed class MattesMutualInformation : IDisposable
{
    /// <summary>Bins kept empty at each end so a window never leaves the histogram.</summary>
    private const int Padding = 2;
    private readonly int _bins;
    private readonly Tensor _offsets;
    private readonly Tensor _fixedFirstBin;
    private readonly Tensor _fixedWindows;

    /// <param name="fixedValues">The template's intensities at the sample points.</param>
    /// <param name="fixedRange">The robust intensity range of the template.</param>
    /// <param name="bins">Histogram bins per axis.</param>
    public MattesMutualInformation(Tensor fixedValues, (double Low, double High) fixedRange, int bins)
    {
        _bins = bins;
        using (var four = 4L.ToScalar())
        {
            _offsets = TensorArithmetic.Range(four, ScalarType.Int64).DetachFromDisposeScope();
        }
        using var scope = NewDisposeScope();
        var (first, windows) = Windows(BinPositions(fixedValues, fixedRange));
        _fixedFirstBin = first.DetachFromDisposeScope();
        _fixedWindows = windows.DetachFromDisposeScope();
    }

    /// <summary>Minus the mutual information (nats) over a batch of the samples, to be minimised.</summary>
    /// <param name="batch">Indices of the samples in this batch.</param>
    /// <param name="movingValues">The moving image's intensities at those samples.</param>
    /// <param name="movingRange">The moving image's robust intensity range.</param>
    public Tensor Loss(Tensor batch, Tensor movingValues, (double Low, double High) movingRange)
    {
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var (movingFirstBin, movingWindows) = Windows(BinPositions(movingValues, movingRange));
        var count = movingValues.shape[0];
        var fixedBins = _fixedFirstBin.index_select(0, batch).unsqueeze(1).Plus(_offsets).unsqueeze(2);
        var movingBins = movingFirstBin.unsqueeze(1).Plus(_offsets).unsqueeze(1);
        var cells = (fixedBins * scalars.Of(_bins)).Plus(movingBins).reshape(count * 16);
        var weights = (_fixedWindows.index_select(0, batch).unsqueeze(2) * movingWindows.unsqueeze(1)).reshape(count * 16);
        var joint = zeros(_bins * _bins, dtype: weights.dtype).index_add(0, cells, weights, scalars.Of(1L)).reshape(_bins, _bins) / scalars.Of(count);
        var fixedMarginal = joint.sum(1, keepdim: true);
        var movingMarginal = joint.sum(0, keepdim: true);
        var tiny = scalars.Of(1e-10);
        var information = (joint * (joint.Plus(tiny).log() - fixedMarginal.Plus(tiny).log() - movingMarginal.Plus(tiny).log())).sum();
        return information.neg().MoveToOuterDisposeScope();
    }

    private Tensor BinPositions(Tensor values, (double Low, double High) range)
    {
        using var scalars = new ScalarScope();
        var scale = (_bins - 1 - 2 * Padding) / Math.Max(1e-12, range.High - range.Low);
        // Within [1, bins - 2): the four bins floor(p) - 1 .. floor(p) + 2 then all exist.
        return ((values - scalars.Of(range.Low)) * scalars.Of(scale)).Plus(scalars.Of((long)Padding)).clamp(scalars.Of(1L), scalars.Of(_bins - 2 - 1e-3));
    }

    /// <summary>The first of the four bins each sample touches, and its cubic B-spline weights in them.</summary>
    private (Tensor FirstBin, Tensor Windows) Windows(Tensor positions)
    {
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var (one, two, three, four, six) = (scalars.Of(1L), scalars.Of(2L), scalars.Of(3L), scalars.Of(4L), scalars.Of(6L));
        var first = positions.detach().floor().to_type(ScalarType.Int64) - one;
        var distance = (first.unsqueeze(1).Plus(_offsets).to_type(positions.dtype) - positions.unsqueeze(1)).abs();
        var near = (six * distance.pow(two)).SubtractedFrom(four).Plus(three * distance.pow(three)) / six;
        var far = distance.SubtractedFrom(two).clamp_min(scalars.Of(0L)).pow(three) / six;
        var windows = where(distance.lt(one), near, far);
        return (first.MoveToOuterDisposeScope(), windows.MoveToOuterDisposeScope());
    }

    public void Dispose()
    {
        _offsets.Dispose();
        _fixedFirstBin.Dispose();
        _fixedWindows.Dispose();
    }
}
