namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// The voxels N4 estimates the field on: every <see cref="Factor"/>-th voxel along each axis (a subsample, as
/// ITK's ShrinkImageFilter takes, centred in the image), and among them the foreground ones with a positive
/// intensity, whose logarithm N4 works on.
/// </summary>
internal sealed class ShrunkGrid
{
    private readonly int[] _offset;

    private ShrunkGrid(int factor, int[] fullShape, int[] shape, int[] offset, int[] voxels, double[] logIntensities)
    {
        Factor = factor;
        FullShape = fullShape;
        Shape = shape;
        _offset = offset;
        Voxels = voxels;
        LogIntensities = logIntensities;
    }

    public int Factor { get; }
    public int[] FullShape { get; }

    /// <summary>Voxels along x, y and z of the shrunk grid.</summary>
    public int[] Shape { get; }

    public int VoxelCount => Shape[0] * Shape[1] * Shape[2];

    /// <summary>The shrunk grid's indices (x fastest) of the voxels N4 works on.</summary>
    public int[] Voxels { get; }

    /// <summary>The log intensity of each of <see cref="Voxels"/>.</summary>
    public double[] LogIntensities { get; }

    public static ShrunkGrid Of(Volume image, Volume foreground, int factor)
    {
        var full = image.Shape;
        var shape = full.Select(n => Math.Max(1, n / factor)).ToArray();
        var offset = Enumerable.Range(0, 3).Select(axis => Math.Max(0, (full[axis] - 1 - (shape[axis] - 1) * factor) / 2)).ToArray();
        var voxels = new List<int>();
        var logIntensities = new List<double>();
        var (foregroundCount, positiveCount) = (0, 0);
        for (var k = 0; k < shape[2]; k++)
        {
            for (var j = 0; j < shape[1]; j++)
            {
                for (var i = 0; i < shape[0]; i++)
                {
                    var source = offset[0] + i * factor + full[0] * (offset[1] + j * factor + full[1] * (offset[2] + k * factor));
                    if (foreground.Values[source] == 0)
                    {
                        continue;
                    }
                    foregroundCount++;
                    var value = image.Values[source];
                    // The log of zero or a negative intensity is undefined: such voxels carry no information on the field.
                    if (value > 0)
                    {
                        positiveCount++;
                        voxels.Add(i + shape[0] * (j + shape[1] * k));
                        logIntensities.Add(Math.Log(value));
                    }
                }
            }
        }
        if (positiveCount == 0)
        {
            throw new PreprocessingException(foregroundCount == 0
                ? $"Bias field correction found no foreground voxel on the grid shrunk by {factor} ({string.Join("x", shape)}): the mask is too small for this shrink factor."
                : $"Bias field correction needs positive intensities, but none of the {foregroundCount} foreground voxels it samples is above 0.");
        }
        if (logIntensities.Min() == logIntensities.Max())
        {
            throw new PreprocessingException(
                $"Bias field correction needs contrast, but the image has one intensity ({Math.Exp(logIntensities[0])}) everywhere inside the mask.");
        }
        return new ShrunkGrid(factor, full, shape, offset, voxels.ToArray(), logIntensities.ToArray());
    }

    /// <summary>The positions along x, y and z, in millimetres from the full grid's first voxel along each axis.</summary>
    public IReadOnlyList<double>[] Positions(double[] spacing) => Enumerable.Range(0, 3)
        .Select(axis => (IReadOnlyList<double>)Enumerable.Range(0, Shape[axis]).Select(i => (_offset[axis] + i * Factor) * spacing[axis]).ToArray())
        .ToArray();

    /// <summary>1 on <see cref="Voxels"/>, 0 elsewhere, x fastest.</summary>
    public double[] Mask()
    {
        var mask = new double[VoxelCount];
        foreach (var voxel in Voxels)
        {
            mask[voxel] = 1;
        }
        return mask;
    }
}
