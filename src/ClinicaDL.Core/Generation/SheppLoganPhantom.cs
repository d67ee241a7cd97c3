namespace ClinicaDL.Core.Generation;

/// <summary>
/// ClinicaDL's Shepp-Logan variant: a skull ellipse (1), brain (0.2), two ventricles (0), a central region and
/// two groups of small regions (ROI1, ROI2) at a random grey (0.4-0.6). Subtype 0 keeps both groups large,
/// 1 shrinks ROI2 and 2 shrinks ROI1. The 3D variant turns the ellipses into ellipsoids.
/// </summary>
internal static class SheppLoganPhantom
{
    // (value or -1 for the drawn grey, semi-axis a, semi-axis b, centre x, centre y, angle in degrees, group: 0 fixed, 1 ROI1, 2 ROI2)
    private static readonly (double Value, double A, double B, double X, double Y, double Angle, int Group)[] Ellipses =
    [
        (1.0, 0.69, 0.92, 0, 0, 0, 0),
        (0.2, 0.6624, 0.874, 0, -0.0184, 0, 0),
        (0.0, 0.11, 0.31, 0.22, 0, -18, 0),
        (0.0, 0.16, 0.41, -0.22, 0, 18, 0),
        (-1, 0.21, 0.25, 0, 0.35, 0, 0),
        (-1, 0.046, 0.046, 0, 0.1, 0, 1),
        (-1, 0.046, 0.046, 0, -0.1, 0, 1),
        (-1, 0.046, 0.023, -0.08, -0.605, 0, 2),
        (-1, 0.023, 0.023, 0, -0.606, 0, 2),
        (-1, 0.023, 0.046, 0.06, -0.605, 0, 2),
    ];

    public static (float[] Values, int[] Shape) Draw(int size, int subtype, bool smoothing, bool threeDimensional, Random random)
    {
        var grey = 0.4 + 0.2 * random.NextDouble();
        var large = 1 + 0.2 * random.NextDouble();
        var small = 0.8 + 0.1 * random.NextDouble();
        double Scale(int group) => group == 0 ? 1 : (subtype, group) switch { (1, 2) => small, (2, 1) => small, _ => large };
        var depth = threeDimensional ? size : 1;
        var values = new float[size * size * depth];
        for (var k = 0; k < depth; k++)
        {
            var z = threeDimensional ? 2.0 * k / (size - 1) - 1 : 0;
            for (var j = 0; j < size; j++)
            {
                var y = 1 - 2.0 * j / (size - 1);
                for (var i = 0; i < size; i++)
                {
                    var x = 2.0 * i / (size - 1) - 1;
                    var value = 0.0;
                    foreach (var e in Ellipses)
                    {
                        var scale = Scale(e.Group);
                        var angle = e.Angle * Math.PI / 180;
                        var (dx, dy) = (x - e.X, y - e.Y);
                        var u = (dx * Math.Cos(angle) + dy * Math.Sin(angle)) / (e.A * scale);
                        var v = (-dx * Math.Sin(angle) + dy * Math.Cos(angle)) / (e.B * scale);
                        var w = z / (Math.Min(e.A, e.B) * scale);
                        if (u * u + v * v + w * w <= 1)
                        {
                            value = e.Value < 0 ? grey : e.Value;
                        }
                    }
                    values[i + size * (j + size * k)] = (float)value;
                }
            }
        }
        if (smoothing)
        {
            Smooth(values, size, depth, random.NextDouble() * size / 100);
        }
        return (values, threeDimensional ? [size, size, size] : [size, size, 1]);
    }

    /// <summary>Separable Gaussian blur in the slice plane.</summary>
    private static void Smooth(float[] values, int size, int depth, double sigma)
    {
        if (sigma < 0.3)
        {
            return;
        }
        var radius = (int)Math.Ceiling(3 * sigma);
        var kernel = Enumerable.Range(-radius, 2 * radius + 1).Select(d => Math.Exp(-d * d / (2 * sigma * sigma))).ToArray();
        var total = kernel.Sum();
        var copy = new float[values.Length];
        foreach (var (stepI, stepJ) in new[] { (1, 0), (0, 1) })
        {
            Array.Copy(values, copy, values.Length);
            for (var k = 0; k < depth; k++)
            {
                for (var j = 0; j < size; j++)
                {
                    for (var i = 0; i < size; i++)
                    {
                        var sum = 0.0;
                        for (var d = -radius; d <= radius; d++)
                        {
                            var (ii, jj) = (Math.Clamp(i + d * stepI, 0, size - 1), Math.Clamp(j + d * stepJ, 0, size - 1));
                            sum += kernel[d + radius] * copy[ii + size * (jj + size * k)];
                        }
                        values[i + size * (j + size * k)] = (float)(sum / total);
                    }
                }
            }
        }
    }
}
