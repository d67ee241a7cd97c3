using ClinicaDL.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// Fits a cubic B-spline control lattice to values given on the masked voxels of a grid, one level of Lee,
/// Wolberg and Shin's multilevel B-spline approximation as ITK's BSplineScatteredDataPointSetToImageFilter (which
/// N4 uses) does it, and evaluates lattices on that grid. On a grid the weights of a voxel factor into one weight
/// per axis, so both the fit's sums over voxels and the evaluation are three small matrix products, one per axis,
/// instead of a loop over voxels and their 64 control points. Tensors: [z, y, x] for the grid, [z, y, x] control
/// points for the lattice, float64.
/// </summary>
internal sealed class BSplineLatticeFitter
{
    private readonly Tensor _basisZ, _basisY, _basisX;
    private readonly Tensor _deltaZ, _deltaY, _deltaX;
    private readonly Tensor _omega;

    /// <param name="axes">The lattice along x, y and z.</param>
    /// <param name="positions">The grid's voxel positions along x, y and z, in the axes' millimetres.</param>
    /// <param name="mask">1 on the voxels that carry a value, 0 elsewhere.</param>
    /// <remarks>The tensors belong to the caller's dispose scope.</remarks>
    public BSplineLatticeFitter(BSplineAxis[] axes, IReadOnlyList<double>[] positions, Tensor mask)
    {
        _basisX = axes[0].Basis(positions[0]);
        _basisY = axes[1].Basis(positions[1]);
        _basisZ = axes[2].Basis(positions[2]);
        // A voxel's share of a control point in ITK's fit is w^3 / sum(w^2) over its 64 control points, where each
        // w and the sum factor by axis.
        _deltaX = PerAxisShare(_basisX);
        _deltaY = PerAxisShare(_basisY);
        _deltaZ = PerAxisShare(_basisZ);
        _omega = Separable(mask, _basisZ.Squared(), _basisY.Squared(), _basisX.Squared());
    }

    /// <summary>The lattice [z, y, x] that approximates <paramref name="values"/> (zero outside the mask).</summary>
    public Tensor Fit(Tensor values)
    {
        var delta = Separable(values, _deltaZ, _deltaY, _deltaX);
        // A control point no voxel reaches keeps 0, as in ITK.
        using var scalars = new ScalarScope();
        return where(_omega > scalars.Of(0L), delta / _omega.clamp_min(scalars.Of(double.Epsilon)), zeros_like(delta));
    }

    /// <summary>The lattice's values on the grid, [z, y, x].</summary>
    public Tensor Evaluate(Tensor lattice) => Separable(lattice, _basisZ.t(), _basisY.t(), _basisX.t());

    /// <summary>out[a, b, c] = sum over z, y, x of alongZ[a, z] alongY[b, y] alongX[c, x] values[z, y, x].</summary>
    public static Tensor Separable(Tensor values, Tensor alongZ, Tensor alongY, Tensor alongX)
    {
        var x = values.matmul(alongX.t());
        var y = alongY.matmul(x);
        return alongZ.matmul(y.reshape(y.shape[0], -1)).reshape(alongZ.shape[0], y.shape[1], y.shape[2]);
    }

    private static Tensor PerAxisShare(Tensor basis)
    {
        using var three = 3L.ToScalar();
        return basis.pow(three) / basis.Squared().sum(0, keepdim: true);
    }
}
