using ClinicaDL.Core.Preprocessing;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Preprocessing;

public sealed class BSplineLatticeTests
{
    public BSplineLatticeTests() => TorchNatives.EnsureLoaded();

    [Theory]
    [InlineData(188, 0.875, 300)]
    [InlineData(85, 2.0, 50)]
    [InlineData(64, 1.0, 63)]
    public void Basis_weights_sum_to_one_at_every_voxel_including_the_last(int voxels, double spacing, double distance)
    {
        using var scope = NewDisposeScope();
        var axis = BSplineAxis.Over(voxels, spacing, distance).Refined();
        var positions = Enumerable.Range(0, voxels).Select(i => i * spacing).ToArray();

        var sums = axis.Basis(positions).sum(dim: 0);

        Assert.True(sums.sub(1).abs().max().item<double>() < 1e-12);
        Assert.True(axis.Start <= 0 && axis.Start + axis.Spans * axis.KnotSpacing >= positions[^1], "the lattice covers the image");
    }

    [Fact]
    public void Refined_lattice_describes_the_same_field()
    {
        using var scope = NewDisposeScope();
        var axes = new[] { BSplineAxis.Over(40, 2, 30), BSplineAxis.Over(50, 2, 30), BSplineAxis.Over(30, 2, 30) };
        var positions = new[] { 40, 50, 30 }.Select(n => Enumerable.Range(0, n).Select(i => i * 2.0).ToArray()).ToArray();
        var lattice = randn([axes[2].ControlPoints, axes[1].ControlPoints, axes[0].ControlPoints], ScalarType.Float64, generator: new Generator(14));
        var refinedAxes = axes.Select(axis => axis.Refined()).ToArray();

        var refined = BSplineLatticeFitter.Separable(lattice, axes[2].Refinement(), axes[1].Refinement(), axes[0].Refinement());

        var before = BSplineLatticeFitter.Separable(lattice, axes[2].Basis(positions[2]).t(), axes[1].Basis(positions[1]).t(), axes[0].Basis(positions[0]).t());
        var after = BSplineLatticeFitter.Separable(refined,
            refinedAxes[2].Basis(positions[2]).t(), refinedAxes[1].Basis(positions[1]).t(), refinedAxes[0].Basis(positions[0]).t());
        Assert.Equal(new long[] { 2 * axes[2].Spans + 3, 2 * axes[1].Spans + 3, 2 * axes[0].Spans + 3 }, refined.shape);
        Assert.True((before - after).abs().max().item<double>() < 1e-12);
    }

    [Fact]
    public void Repeated_fits_of_the_residual_approach_a_smooth_field()
    {
        using var scope = NewDisposeScope();
        var axes = new[] { BSplineAxis.Over(30, 4, 40), BSplineAxis.Over(30, 4, 40), BSplineAxis.Over(30, 4, 40) };
        var positions = Enumerable.Repeat(Enumerable.Range(0, 30).Select(i => i * 4.0).ToArray(), 3).Select(p => (IReadOnlyList<double>)p).ToArray();
        var coordinate = arange(30, ScalarType.Float64) / 29.0;
        var field = 0.1 * coordinate.view(30, 1, 1) - 0.05 * coordinate.view(1, 1, 30).square() + zeros(30, 30, 30, ScalarType.Float64);
        var fitter = new BSplineLatticeFitter(axes, positions, ones(30, 30, 30, ScalarType.Float64));

        // N4 fits the residual again at every iteration; a few rounds of the one-level fit approach the field (a
        // range of 0.15), slowest at the grid's corners, where the fit's local averages see the least data.
        var lattice = zeros(axes[2].ControlPoints, axes[1].ControlPoints, axes[0].ControlPoints, ScalarType.Float64);
        for (var round = 0; round < 10; round++)
        {
            lattice += fitter.Fit(field - fitter.Evaluate(lattice));
        }

        var error = (fitter.Evaluate(lattice) - field).abs();
        Assert.True(error.mean().item<double>() < 2e-3, $"mean error {error.mean().item<double>()}");
        Assert.True(error.max().item<double>() < 1.5e-2, $"largest error {error.max().item<double>()}");
    }
}
