using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// What the quality check compares an image with, on that image's grid: the template's values, its brain (the voxels
/// of the brain mask, or the template's positive voxels when it has no mask) and its edges for the montage.
/// </summary>
internal sealed class QualityReference
{
    /// <summary>Edges are the template's strongest gradients: those above this quantile of the gradient magnitude over the brain.</summary>
    private const double EdgeQuantile = 0.85;

    private QualityReference(float[] template, int[] brain, bool[] edges, float[][] mirrors, double[] symmetry)
    {
        Template = template;
        Brain = brain;
        Edges = edges;
        Mirrors = mirrors;
        Symmetry = symmetry;
    }

    public float[] Template { get; }

    /// <summary>The indices of the brain's voxels (NIfTI order).</summary>
    public int[] Brain { get; }

    public bool[] Edges { get; }

    /// <summary>The template mirrored along each voxel axis (x, y, z) about its brain's centre.</summary>
    public float[][] Mirrors { get; }

    /// <summary>The template's correlation with each of its mirrors over the brain: near 1 along an axis it is symmetric about.</summary>
    public double[] Symmetry { get; }

    /// <param name="template">The template on its own grid.</param>
    /// <param name="mask">The template's brain mask on the template's grid, or null.</param>
    /// <param name="shape">The image grid's shape.</param>
    /// <param name="affine">The image grid's affine.</param>
    public static QualityReference On(Volume template, Volume? mask, int[] shape, AffineMatrix affine)
    {
        var sameGrid = template.Shape.SequenceEqual(shape) && template.Affine.Equals(affine);
        var values = sameGrid ? template.Values : VolumeResampler.Resample(template, AffineMatrix.Identity, shape, affine).Values;
        var maskValues = mask is null ? null
            : mask.Shape.SequenceEqual(shape) && mask.Affine.Equals(affine) ? mask.Values
            : VolumeResampler.Resample(mask, AffineMatrix.Identity, shape, affine).Values;
        // A resampled mask is 0.5 half-way across its boundary: the mask's own border.
        var brain = Enumerable.Range(0, values.Length).Where(i => maskValues is null ? values[i] > 0 : maskValues[i] >= 0.5f).ToArray();
        if (brain.Length < 100)
        {
            throw new PreprocessingException(
                $"The template has {brain.Length} brain voxels on the image grid ({string.Join("x", shape)}, affine {affine}); the quality check needs at least 100: " +
                "the image does not lie in the template's space.");
        }
        var mirrors = Enumerable.Range(0, 3).Select(axis => Mirror(values, shape, brain, axis)).ToArray();
        var symmetry = mirrors.Select(m => ImageSimilarity.Correlation(values, m, brain)).ToArray();
        return new QualityReference(values, brain, StrongGradients(values, shape, brain), mirrors, symmetry);
    }

    /// <summary>
    /// The values mirrored along a voxel axis about the plane (to the nearest half voxel, within 3 voxels of the brain's
    /// centre) where the template is most like its mirror: a symmetric template's own midplane, so its symmetry shows
    /// whole; zero where the mirror leaves the grid.
    /// </summary>
    private static float[] Mirror(float[] values, int[] shape, int[] brain, int axis)
    {
        var (nx, ny) = (shape[0], shape[1]);
        var stride = axis switch { 0 => 1, 1 => nx, _ => nx * ny };
        int Coordinate(int index) => axis switch { 0 => index % nx, 1 => index / nx % ny, _ => index / (nx * ny) };
        float[] MirrorAbout(int twiceCentre)
        {
            var mirrored = new float[values.Length];
            for (var index = 0; index < values.Length; index++)
            {
                var position = Coordinate(index);
                var source = twiceCentre - position;
                if (source >= 0 && source < shape[axis])
                {
                    mirrored[index] = values[index + (source - position) * stride];
                }
            }
            return mirrored;
        }
        var centroid = (int)Math.Round(2.0 * brain.Aggregate(0L, (total, index) => total + Coordinate(index)) / brain.Length);
        return Enumerable.Range(centroid - 6, 13).Select(MirrorAbout).MaxBy(m => ImageSimilarity.Correlation(values, m, brain))!;
    }

    private static bool[] StrongGradients(float[] values, int[] shape, int[] brain)
    {
        var (nx, ny, nz) = (shape[0], shape[1], shape[2]);
        var magnitude = new float[values.Length];
        for (var k = 0; k < nz; k++)
        {
            for (var j = 0; j < ny; j++)
            {
                for (var i = 0; i < nx; i++)
                {
                    var index = i + nx * (j + ny * k);
                    float Difference(int step, int position, int extent) =>
                        (position + 1 < extent ? values[index + step] : values[index]) - (position > 0 ? values[index - step] : values[index]);
                    var (gx, gy, gz) = (Difference(1, i, nx), Difference(nx, j, ny), Difference(nx * ny, k, nz));
                    magnitude[index] = MathF.Sqrt(gx * gx + gy * gy + gz * gz);
                }
            }
        }
        var inBrain = brain.Select(i => magnitude[i]).Order().ToArray();
        var threshold = Math.Max(inBrain[(int)(EdgeQuantile * (inBrain.Length - 1))], 1e-12f);
        return magnitude.Select(m => m > threshold).ToArray();
    }
}
