using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Core.Tests.Imaging;

public sealed class AnatomicalOrientationTests
{
    private static AffineMatrix Affine(double[,] rotationZoom, double[]? offset = null)
    {
        var values = new double[4, 4];
        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 3; c++)
            {
                values[r, c] = rotationZoom[r, c];
            }
            values[r, 3] = offset?[r] ?? 0;
        }
        values[3, 3] = 1;
        return new AffineMatrix(values);
    }

    [Fact]
    public void The_identity_is_ras()
    {
        Assert.Equal(["R", "A", "S"], AnatomicalOrientation.AxisCodes(AffineMatrix.Identity));
    }

    [Fact]
    public void A_flipped_x_is_las()
    {
        // FSL's MNI152 templates and many radiological-convention files: x grows towards the left.
        Assert.Equal(["L", "A", "S"], AnatomicalOrientation.AxisCodes(Affine(new double[,] { { -2, 0, 0 }, { 0, 2, 0 }, { 0, 0, 2 } })));
    }

    [Fact]
    public void Dicom_order_is_lps()
    {
        Assert.Equal(["L", "P", "S"], AnatomicalOrientation.AxisCodes(Affine(new double[,] { { -1, 0, 0 }, { 0, -1, 0 }, { 0, 0, 3 } })));
    }

    [Fact]
    public void A_sagittal_acquisition_permutes_the_axes()
    {
        // i runs anterior, j superior, k towards the left (nibabel's aff2axcodes gives ('A', 'S', 'L')).
        Assert.Equal(["A", "S", "L"], AnatomicalOrientation.AxisCodes(Affine(new double[,] { { 0, 0, -1.2 }, { 1, 0, 0 }, { 0, 1, 0 } })));
    }

    [Fact]
    public void An_oblique_affine_takes_the_closest_axes()
    {
        var angle = 20 * Math.PI / 180;
        var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
        Assert.Equal(["R", "A", "S"], AnatomicalOrientation.AxisCodes(Affine(new double[,] { { cos, -sin, 0 }, { sin, cos, 0 }, { 0, 0, 1 } })));
    }

    [Fact]
    public void World_coordinates_and_voxel_sizes_come_from_the_affine()
    {
        var affine = Affine(new double[,] { { -2, 0, 0 }, { 0, 3, 0 }, { 0, 0, 4 } }, [90, -126, -72]);
        Assert.Equal([86.0, -114, -52], AnatomicalOrientation.World(affine, [2, 4, 5]));
        Assert.Equal([2.0, 3, 4], AnatomicalOrientation.VoxelSizes(affine));
    }
}
