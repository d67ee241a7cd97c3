namespace ClinicaDL.Core.Generation;

/// <summary>
/// Draws a T1-weighted brain phantom: scalp, skull, CSF, a folded cortical ribbon, white matter, lateral
/// ventricles, deep grey nuclei and both hippocampi, with a participant's anatomy, a smooth bias field and
/// Rician noise. Disease shrinks the hippocampi (their space filling with CSF), thins and opens the temporal
/// cortex and enlarges the ventricles, in proportion to the severity; age adds mild global atrophy.
/// </summary>
internal static class BrainPhantom
{
    // Template geometry in brain-centred millimetres (x: left-right, y: posterior-anterior, z: inferior-superior).
    private const double BrainX = 66, BrainY = 84, BrainZ = 60;
    private const double Csf = 0.22, Grey = 0.6, White = 0.95, Caudate = 0.7, Thalamus = 0.75, Skull = 0.08, Scalp = 0.75;
    private const double NoiseSigma = 2.0;

    /// <summary>Voxel values (x fastest), in arbitrary units with white matter near 95.</summary>
    public static float[] Render(PhantomGrid grid, PhantomAnatomy anatomy, double severity, double yearsOver70, int noiseSeed)
    {
        var values = new float[grid.VoxelCount];
        var random = new Random(noiseSeed);
        var (nx, ny, nz) = (grid.Shape[0], grid.Shape[1], grid.Shape[2]);
        var brainShrink = anatomy.Size * (1 - 0.03 * severity - 0.002 * Math.Max(0, yearsOver70));
        var ventricle = anatomy.VentricleScale * (1 + 0.9 * severity + 0.015 * Math.Max(0, yearsOver70));
        var hippocampusLeft = anatomy.LeftHippocampusScale * (1 - 0.38 * severity);
        var hippocampusRight = anatomy.RightHippocampusScale * (1 - 0.38 * severity);
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
                    var tissue = Tissue(x, y, z, anatomy, brainShrink, ventricle, hippocampusLeft, hippocampusRight, severity);
                    var bias = 1 + anatomy.BiasX * x / BrainX + anatomy.BiasY * y / BrainY + anatomy.BiasZ * z / BrainZ;
                    var signal = 100 * tissue * anatomy.IntensityScale * bias;
                    var real = signal + NoiseSigma * PhantomAnatomy.Gaussian(random);
                    var imaginary = NoiseSigma * PhantomAnatomy.Gaussian(random);
                    values[index] = (float)Math.Sqrt(real * real + imaginary * imaginary);
                }
            }
        }
        return values;
    }

    private static double Tissue(double x, double y, double z, PhantomAnatomy a, double brainShrink, double ventricle,
        double hippocampusLeft, double hippocampusRight, double severity)
    {
        // The head keeps its size; the brain inside it shrinks with atrophy, widening the CSF around it.
        var hx = x * (1 + a.ShapeX * Math.Sin(y / 30)) / a.Size;
        var hy = y * (1 + a.ShapeY * Math.Cos(z / 25)) / a.Size;
        var hz = z / a.Size;
        var head = Math.Sqrt(Sq(hx / BrainX) + Sq(hy / BrainY) + Sq(hz / BrainZ));
        if (head > 1.2)
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
        var shrink = brainShrink / a.Size;
        var r = head / shrink;
        if (r > 1)
        {
            return Csf;
        }
        var (bx, by, bz) = (hx / shrink, hy / shrink, hz / shrink);

        // Deep structures first: they sit inside the white matter.
        var side = bx < 0 ? -1 : 1;
        var hippocampus = side < 0 ? hippocampusLeft : hippocampusRight;
        var h = Hippocampus(bx, by, bz, side);
        if (h < 1.12)
        {
            return h < hippocampus ? Grey : Csf;
        }
        if (Ellipsoid(bx - side * 10, by, bz - 12, 6 * ventricle, 22 * Math.Sqrt(ventricle), 8 * ventricle) < 1)
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
        var fold = Math.Sin(bx / 3.4 + a.FoldPhaseX) * Math.Sin(by / 3.8 + a.FoldPhaseY) * Math.Sin(bz / 3.4 + a.FoldPhaseZ);
        var sulcusThreshold = 0.35 - 0.4 * severity * temporal;
        var depth = 1 - r;
        if (depth < 0.25 * (fold - sulcusThreshold) && fold > sulcusThreshold)
        {
            return Csf;
        }
        var thickness = 0.085 * (1 - 0.45 * severity * temporal) + 0.06 * Math.Max(0, fold);
        return depth < thickness ? Grey : White;
    }

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
