namespace ClinicaDL.Core.Generation;

/// <summary>
/// Draws a T1-weighted brain phantom: scalp, skull, CSF, a folded cortical ribbon, white matter, lateral
/// ventricles, deep grey nuclei and both hippocampi, with a participant's anatomy, a smooth bias field and
/// Rician noise. Disease shrinks the hippocampi (their space filling with CSF), thins and opens the temporal
/// cortex and enlarges the ventricles, in proportion to the severity; age adds mild global atrophy.
/// One instance is one session's anatomy, defined at every point of brain-centred millimetres, so that it can be
/// drawn on the template grid and, for raw scans, at any scanner voxel mapped back to template space.
/// </summary>
internal sealed class BrainPhantom
{
    // Template geometry in brain-centred millimetres (x: left-right, y: posterior-anterior, z: inferior-superior).
    private const double BrainX = 66, BrainY = 84, BrainZ = 60;
    private const double Csf = 0.22, Grey = 0.6, White = 0.95, Caudate = 0.7, Thalamus = 0.75, Skull = 0.08, Scalp = 0.75;
    private const double NoiseSigma = 2.0;

    /// <summary>The head's outer surface, in the normalised radius <see cref="Tissue"/> compares with.</summary>
    private const double HeadRadius = 1.2;

    private readonly PhantomAnatomy _anatomy;
    private readonly double _brainShrink, _ventricle, _hippocampusLeft, _hippocampusRight, _severity;

    public BrainPhantom(PhantomAnatomy anatomy, double severity, double yearsOver70)
    {
        _anatomy = anatomy;
        _severity = severity;
        _brainShrink = anatomy.Size * (1 - 0.03 * severity - 0.002 * Math.Max(0, yearsOver70));
        _ventricle = anatomy.VentricleScale * (1 + 0.9 * severity + 0.015 * Math.Max(0, yearsOver70));
        _hippocampusLeft = anatomy.LeftHippocampusScale * (1 - 0.38 * severity);
        _hippocampusRight = anatomy.RightHippocampusScale * (1 - 0.38 * severity);
    }

    /// <summary>The noiseless signal of white matter where the bias field is 1: the reference of noise levels.</summary>
    public double WhiteMatterSignal => 100 * White * _anatomy.IntensityScale;

    /// <summary>
    /// Semi-axes (mm, brain-centred) of an ellipsoid holding every point with signal: the head's ellipsoid widened by
    /// the most the shape terms can narrow its normalised coordinates.
    /// </summary>
    public double[] HeadSemiAxes =>
    [
        HeadRadius * BrainX * _anatomy.Size / (1 - Math.Abs(_anatomy.ShapeX)),
        HeadRadius * BrainY * _anatomy.Size / (1 - Math.Abs(_anatomy.ShapeY)),
        HeadRadius * BrainZ * _anatomy.Size,
    ];

    /// <summary>Voxel values (x fastest), in arbitrary units with white matter near 95.</summary>
    public float[] Render(PhantomGrid grid, int noiseSeed)
    {
        var values = new float[grid.VoxelCount];
        var random = new Random(noiseSeed);
        var (nx, ny, nz) = (grid.Shape[0], grid.Shape[1], grid.Shape[2]);
        var index = 0;
        for (var k = 0; k < nz; k++)
        {
            var z = grid.Millimetres(2, k);
            for (var j = 0; j < ny; j++)
            {
                var y = grid.Millimetres(1, j);
                for (var i = 0; i < nx; i++, index++)
                {
                    var x = grid.Millimetres(0, i);
                    var real = Signal(x, y, z) + NoiseSigma * PhantomAnatomy.Gaussian(random);
                    var imaginary = NoiseSigma * PhantomAnatomy.Gaussian(random);
                    values[index] = (float)Math.Sqrt(real * real + imaginary * imaginary);
                }
            }
        }
        return values;
    }

    /// <summary>The noiseless signal at a brain-centred point: tissue, intensity and the participant's bias field.</summary>
    public double Signal(double x, double y, double z)
    {
        var tissue = Tissue(x, y, z);
        var bias = 1 + _anatomy.BiasX * x / BrainX + _anatomy.BiasY * y / BrainY + _anatomy.BiasZ * z / BrainZ;
        return 100 * tissue * _anatomy.IntensityScale * bias;
    }

    /// <summary>Whether a brain-centred point lies in the brain (within its outer surface: tissue, ventricles and sulci).</summary>
    public bool IsBrain(double x, double y, double z)
    {
        var (hx, hy, hz) = HeadCoordinates(x, y, z);
        return Math.Sqrt(Sq(hx / BrainX) + Sq(hy / BrainY) + Sq(hz / BrainZ)) <= _brainShrink / _anatomy.Size;
    }

    private double Tissue(double x, double y, double z)
    {
        // The head keeps its size; the brain inside it shrinks with atrophy, widening the CSF around it.
        var (hx, hy, hz) = HeadCoordinates(x, y, z);
        var head = Math.Sqrt(Sq(hx / BrainX) + Sq(hy / BrainY) + Sq(hz / BrainZ));
        if (head > HeadRadius)
        {
            return 0;
        }
        if (head > 1.13)
        {
            return Scalp;
        }
        if (head > 1.07)
        {
            return Skull;
        }
        var shrink = _brainShrink / _anatomy.Size;
        var r = head / shrink;
        if (r > 1)
        {
            return Csf;
        }
        var (bx, by, bz) = (hx / shrink, hy / shrink, hz / shrink);

        // Deep structures first: they sit inside the white matter.
        var side = bx < 0 ? -1 : 1;
        var hippocampus = side < 0 ? _hippocampusLeft : _hippocampusRight;
        var h = Hippocampus(bx, by, bz, side);
        if (h < 1.12)
        {
            return h < hippocampus ? Grey : Csf;
        }
        if (Ellipsoid(bx - side * 10, by, bz - 12, 6 * _ventricle, 22 * Math.Sqrt(_ventricle), 8 * _ventricle) < 1)
        {
            return Csf;
        }
        if (Ellipsoid(bx - side * 19, by - 6, bz - 2, 6.5, 14, 8) < 1)
        {
            return Caudate;
        }
        if (Ellipsoid(bx - side * 9, by + 16, bz - 6, 7, 10, 7) < 1)
        {
            return Thalamus;
        }

        // Cortex: a folded grey ribbon; in the temporal lobes disease thins it and opens its sulci.
        var temporal = Clamp((Math.Abs(bx) - 28) / 14) * Clamp((2 - bz) / 14) * Clamp(1 - Math.Abs(by + 10) / 40);
        // Gyri about 2 cm apart, as in the human cortex.
        var fold = Math.Sin(bx / 3.4 + _anatomy.FoldPhaseX) * Math.Sin(by / 3.8 + _anatomy.FoldPhaseY) * Math.Sin(bz / 3.4 + _anatomy.FoldPhaseZ);
        var sulcusThreshold = 0.35 - 0.4 * _severity * temporal;
        var depth = 1 - r;
        if (depth < 0.25 * (fold - sulcusThreshold) && fold > sulcusThreshold)
        {
            return Csf;
        }
        var thickness = 0.085 * (1 - 0.45 * _severity * temporal) + 0.06 * Math.Max(0, fold);
        return depth < thickness ? Grey : White;
    }

    private (double X, double Y, double Z) HeadCoordinates(double x, double y, double z) =>
        (x * (1 + _anatomy.ShapeX * Math.Sin(y / 30)) / _anatomy.Size, y * (1 + _anatomy.ShapeY * Math.Cos(z / 25)) / _anatomy.Size, z / _anatomy.Size);

    /// <summary>Normalised distance to a hippocampus: an elongated ellipsoid along y, tilted up towards the back.</summary>
    internal static double Hippocampus(double x, double y, double z, int side)
    {
        const double tilt = 0.35;
        var (dx, dy, dz) = (x - side * 27, y + 20, z + 14);
        var along = dy * Math.Cos(tilt) - dz * Math.Sin(tilt);
        var across = dy * Math.Sin(tilt) + dz * Math.Cos(tilt);
        return Math.Sqrt(Sq(dx / 5) + Sq(along / 17) + Sq(across / 5.5));
    }

    private static double Ellipsoid(double x, double y, double z, double a, double b, double c) => Sq(x / a) + Sq(y / b) + Sq(z / c);

    private static double Sq(double v) => v * v;

    private static double Clamp(double v) => Math.Clamp(v, 0, 1);
}
