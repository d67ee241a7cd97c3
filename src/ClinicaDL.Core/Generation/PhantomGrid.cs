using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Core.Generation;

/// <summary>
/// The image grid of the phantoms: Clinica's cropped t1-linear field of view (169x208x179 mm) sampled at 1, 2
/// or 3 mm, centred on the brain, axes in RAS order.
/// </summary>
public sealed class PhantomGrid
{
    /// <summary>Clinica's t1-linear crop at 1 mm.</summary>
    public static readonly int[] CroppedShape = [169, 208, 179];

    /// <summary>Where the grid centre, and the phantoms' brain centre, lie in world (MNI-like) millimetres.</summary>
    internal static readonly double[] Centre = [0, -18, 8];

    public PhantomGrid(int voxelSize)
    {
        if (voxelSize is < 1 or > 3)
        {
            throw new ArgumentOutOfRangeException(nameof(voxelSize), voxelSize, "The voxel size is 1, 2 or 3 mm.");
        }
        VoxelSize = voxelSize;
        Shape = CroppedShape.Select(n => (n + voxelSize - 1) / voxelSize).ToArray();
        Origin = Enumerable.Range(0, 3).Select(a => Centre[a] - (Shape[a] - 1) / 2.0 * voxelSize).ToArray();
        Affine = new AffineMatrix(new double[,]
        {
            { voxelSize, 0, 0, Origin[0] },
            { 0, voxelSize, 0, Origin[1] },
            { 0, 0, voxelSize, Origin[2] },
            { 0, 0, 0, 1 },
        });
    }

    public int VoxelSize { get; }
    public int[] Shape { get; }
    public AffineMatrix Affine { get; }

    /// <summary>World coordinate of voxel 0 along each axis.</summary>
    public double[] Origin { get; }

    public int VoxelCount => Shape[0] * Shape[1] * Shape[2];

    /// <summary>Brain-centred millimetres (origin at the grid centre) of an index along an axis.</summary>
    public double Millimetres(int axis, int index) => Origin[axis] + index * VoxelSize - Centre[axis];
}
