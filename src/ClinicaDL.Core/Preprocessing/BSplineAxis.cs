using static TorchSharp.torch;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// One axis of a uniform cubic B-spline control lattice laid over an image axis: <see cref="Spans"/> knot
/// intervals of <see cref="KnotSpacing"/> millimetres from <see cref="Start"/> (millimetres from the centre of the
/// axis's first voxel), with three more control points than spans. As in ANTs' N4, the first level's knot spacing
/// is the B-spline distance and the lattice is centred on the image, overhanging it where the image's extent is
/// not a multiple of that distance.
/// </summary>
internal sealed class BSplineAxis
{
    private BSplineAxis(double start, double knotSpacing, int spans)
    {
        Start = start;
        KnotSpacing = knotSpacing;
        Spans = spans;
    }

    public double Start { get; }
    public double KnotSpacing { get; }
    public int Spans { get; }
    public int ControlPoints => Spans + 3;

    public static BSplineAxis Over(int voxels, double spacing, double distance)
    {
        var extent = (voxels - 1) * spacing;
        var spans = Math.Max(1, (int)Math.Ceiling(extent / distance));
        return new BSplineAxis((extent - spans * distance) / 2, distance, spans);
    }

    /// <summary>The same lattice with twice the spans (N4's next fitting level).</summary>
    public BSplineAxis Refined() => new(Start, KnotSpacing / 2, Spans * 2);

    /// <summary>
    /// The basis matrix [control points, positions]: column i holds the weights of the four control points around
    /// position i (millimetres, same origin as <see cref="Start"/>); a lattice's value there is their weighted sum.
    /// </summary>
    public Tensor Basis(IReadOnlyList<double> positions)
    {
        var weights = new double[ControlPoints * positions.Count];
        for (var i = 0; i < positions.Count; i++)
        {
            var parameter = Math.Max(0, (positions[i] - Start) / KnotSpacing);
            // The last knot belongs to the last span (its right end), as ITK's fitter clamps it.
            var span = Math.Min((int)parameter, Spans - 1);
            var t = parameter - span;
            var u = 1 - t;
            weights[span * positions.Count + i] = u * u * u / 6;
            weights[(span + 1) * positions.Count + i] = (3 * t * t * t - 6 * t * t + 4) / 6;
            weights[(span + 2) * positions.Count + i] = (-3 * t * t * t + 3 * t * t + 3 * t + 1) / 6;
            weights[(span + 3) * positions.Count + i] = t * t * t / 6;
        }
        return tensor(weights, [ControlPoints, positions.Count], ScalarType.Float64);
    }

    /// <summary>
    /// The matrix [2 spans + 3, spans + 3] that maps this lattice's control points to those of <see cref="Refined"/>
    /// describing the same function: the cubic B-spline's two-scale relation, with weights (1, 4, 6, 4, 1) / 8.
    /// </summary>
    public Tensor Refinement()
    {
        var fine = 2 * Spans + 3;
        var weights = new double[fine * ControlPoints];
        for (var i = 0; i < ControlPoints - 1; i++)
        {
            weights[2 * i * ControlPoints + i] = 0.5;
            weights[2 * i * ControlPoints + i + 1] = 0.5;
        }
        for (var i = 0; i < ControlPoints - 2; i++)
        {
            weights[(2 * i + 1) * ControlPoints + i] = 0.125;
            weights[(2 * i + 1) * ControlPoints + i + 1] = 0.75;
            weights[(2 * i + 1) * ControlPoints + i + 2] = 0.125;
        }
        return tensor(weights, [fine, ControlPoints], ScalarType.Float64);
    }
}
