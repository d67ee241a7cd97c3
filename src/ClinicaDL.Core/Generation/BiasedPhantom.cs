using ClinicaDL.Core.Preprocessing;

namespace ClinicaDL.Core.Generation;

/// <summary>
/// A brain phantom (its own linear bias off) multiplied by a known smooth field, the exponential of a seeded
/// quadratic polynomial of the position, with its white matter: the known answer bias field correction is
/// measured against.
/// </summary>
internal sealed class BiasedPhantom
{
    private BiasedPhantom(Volume image, Volume field, bool[] whiteMatter)
    {
        Image = image;
        Field = field;
        WhiteMatter = whiteMatter;
    }

    /// <summary>The biased image.</summary>
    public Volume Image { get; }

    /// <summary>The field the phantom was multiplied by: from exp(-amplitude) to exp(amplitude) over the white matter, more outside it.</summary>
    public Volume Field { get; }

    /// <summary>Whether each voxel is white matter.</summary>
    public bool[] WhiteMatter { get; }

    /// <param name="voxelSize">1, 2 or 3 mm.</param>
    /// <param name="amplitude">The largest absolute log field in the white matter (0.2: from -18% to +22%; 0: no field).</param>
    /// <param name="seed">Draws the anatomy, the noise and the field.</param>
    public static BiasedPhantom Render(int voxelSize, double amplitude, int seed)
    {
        var grid = new PhantomGrid(voxelSize);
        var random = new Random(seed);
        var anatomy = PhantomAnatomy.Draw(random) with { BiasX = 0, BiasY = 0, BiasZ = 0 };
        var values = new BrainPhantom(anatomy, severity: 0, yearsOver70: 0).Render(grid, noiseSeed: random.Next());
        // White matter is drawn at 95 and its nearest neighbours (thalamus, scalp) at 75, with noise of 2: the
        // midpoint separates them by five noise deviations.
        var whiteMatter = values.Select(v => v > 85 * anatomy.IntensityScale).ToArray();

        var field = SmoothField(grid.Shape, whiteMatter, amplitude, random);
        var image = values.Select((v, i) => v * field[i]).ToArray();
        return new BiasedPhantom(new Volume(image, grid.Shape, grid.Affine), new Volume(field, grid.Shape, grid.Affine), whiteMatter);
    }

    /// <summary>
    /// exp of a quadratic polynomial of the position with seeded coefficients, scaled to run from exp(-amplitude)
    /// to exp(amplitude) over <paramref name="region"/> (where it is measured, rather than over the grid's corners).
    /// </summary>
    public static float[] SmoothField(int[] shape, bool[] region, double amplitude, Random random)
    {
        var coefficients = Enumerable.Range(0, 9).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var logField = new double[shape[0] * shape[1] * shape[2]];
        var (nx, ny, nz) = (shape[0], shape[1], shape[2]);
        for (var k = 0; k < nz; k++)
        {
            var z = 2.0 * k / (nz - 1) - 1;
            for (var j = 0; j < ny; j++)
            {
                var y = 2.0 * j / (ny - 1) - 1;
                for (var i = 0; i < nx; i++)
                {
                    var x = 2.0 * i / (nx - 1) - 1;
                    double[] terms = [x, y, z, x * y, y * z, x * z, x * x, y * y, z * z];
                    logField[i + nx * (j + ny * k)] = terms.Select((term, t) => coefficients[t] * term).Sum();
                }
            }
        }
        var (low, high) = (double.MaxValue, double.MinValue);
        for (var i = 0; i < logField.Length; i++)
        {
            if (region[i])
            {
                (low, high) = (Math.Min(low, logField[i]), Math.Max(high, logField[i]));
            }
        }
        return logField.Select(v => (float)Math.Exp(amplitude * (2 * v - low - high) / (high - low))).ToArray();
    }
}
