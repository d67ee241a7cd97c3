using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// A 3D scalar image in memory for preprocessing: float32 values in NIfTI order (x fastest, as read from and
/// written to disk, so a torch tensor of shape [z, y, x] views it without reordering), the grid's shape and its
/// voxel-to-world (RAS millimetre) affine.
/// </summary>
public sealed class Volume
{
    public Volume(float[] values, int[] shape, AffineMatrix affine)
    {
        if (shape.Length != 3 || shape.Any(n => n < 1))
        {
            throw new ArgumentException($"A volume has three positive dimensions; got {string.Join("x", shape)}.", nameof(shape));
        }
        if (values.LongLength != (long)shape[0] * shape[1] * shape[2])
        {
            throw new ArgumentException($"{values.LongLength} values do not fill a {string.Join("x", shape)} grid.", nameof(values));
        }
        Values = values;
        Shape = shape;
        Affine = affine;
    }

    public float[] Values { get; }

    /// <summary>Voxels along x, y and z.</summary>
    public int[] Shape { get; }

    public AffineMatrix Affine { get; }

    /// <summary>The voxel size in millimetres along each axis (the lengths of the affine's columns).</summary>
    public double[] Spacing => Enumerable.Range(0, 3)
        .Select(axis => Math.Sqrt(Affine[0, axis] * Affine[0, axis] + Affine[1, axis] * Affine[1, axis] + Affine[2, axis] * Affine[2, axis]))
        .ToArray();

    public int VoxelCount => Values.Length;

    /// <summary>The same grid with other values.</summary>
    public Volume WithValues(float[] values) => new(values, Shape, Affine);
}
