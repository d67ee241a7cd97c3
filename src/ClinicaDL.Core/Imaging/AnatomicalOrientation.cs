using MathNet.Numerics.LinearAlgebra;

namespace ClinicaDL.Core.Imaging;

/// <summary>
/// Which anatomical direction each voxel axis of an image runs along, from its affine, as nibabel's
/// <c>io_orientation</c> and <c>aff2axcodes</c> decide it (world space RAS+: x towards the right, y anterior,
/// z superior): the affine's columns are normalised, made orthogonal by their polar decomposition so that a
/// sheared or oblique affine still gives one world axis per voxel axis, then each voxel axis in turn takes the
/// world axis it is most aligned with among those not yet taken.
/// </summary>
public static class AnatomicalOrientation
{
    private static readonly string[] Positive = ["R", "A", "S"];
    private static readonly string[] Negative = ["L", "P", "I"];

    /// <summary>For voxel axes i, j, k: the world axis (0 = x, 1 = y, 2 = z) and +1 when the index grows towards R, A or S, -1 towards L, P or I.</summary>
    public static (int WorldAxis, int Sign)[] Axes(AffineMatrix affine)
    {
        var rzs = Matrix<double>.Build.Dense(3, 3, (row, column) => affine[row, column]);
        for (var column = 0; column < 3; column++)
        {
            var zoom = rzs.Column(column).L2Norm();
            if (zoom > 0)
            {
                rzs.SetColumn(column, rzs.Column(column) / zoom);
            }
        }
        var svd = rzs.Svd();
        var rotation = svd.U * svd.VT;
        var result = new (int, int)[3];
        for (var voxelAxis = 0; voxelAxis < 3; voxelAxis++)
        {
            var column = rotation.Column(voxelAxis);
            var worldAxis = column.AbsoluteMaximumIndex();
            if (column[worldAxis] == 0)
            {
                throw new ArgumentException($"The affine {affine} gives voxel axis {voxelAxis} no direction in the world.", nameof(affine));
            }
            result[voxelAxis] = (worldAxis, Math.Sign(column[worldAxis]));
            // A world axis belongs to one voxel axis only.
            rotation.ClearRow(worldAxis);
        }
        return result;
    }

    /// <summary>nibabel's <c>aff2axcodes</c>: the letter each voxel axis points to, e.g. R, A, S for the identity and L, A, S for a flipped x.</summary>
    public static string[] AxisCodes(AffineMatrix affine) => Axes(affine).Select(a => Letter(a.WorldAxis, a.Sign)).ToArray();

    /// <summary>The letter of a world direction: R, A, S for +x, +y, +z and L, P, I for the opposites.</summary>
    public static string Letter(int worldAxis, int sign) => (sign > 0 ? Positive : Negative)[worldAxis];

    /// <summary>The length of a voxel along each voxel axis in mm (the norms of the affine's columns).</summary>
    public static double[] VoxelSizes(AffineMatrix affine) =>
        Enumerable.Range(0, 3).Select(c => Math.Sqrt(Enumerable.Range(0, 3).Sum(r => affine[r, c] * affine[r, c]))).ToArray();

    /// <summary>The world coordinates (mm) of a voxel's centre.</summary>
    public static double[] World(AffineMatrix affine, int[] voxel) =>
        Enumerable.Range(0, 3).Select(r => affine[r, 0] * voxel[0] + affine[r, 1] * voxel[1] + affine[r, 2] * voxel[2] + affine[r, 3]).ToArray();
}
