using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Reports;
using SkiaSharp;

namespace ClinicaDL.Core.Tests.Reports;

public sealed class SaliencyOverlayTests : IDisposable
{
    // The report test's MAPS grid: 57 x 70 x 60 voxels of 3 mm.
    private static readonly int[] Shape = [57, 70, 60];
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-overlay-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static AffineMatrix Affine(double xSign) => new(new double[,] { { 3 * xSign, 0, 0, -84 * xSign }, { 0, 3, 0, -120 }, { 0, 0, 3, -72 }, { 0, 0, 0, 1 } });

    /// <summary>A uniform image and a map that is zero but for one strong voxel near i = 0.</summary>
    private static (float[] Image, float[] Map) Volumes(float peak = 2)
    {
        var count = Shape[0] * Shape[1] * Shape[2];
        var image = Enumerable.Repeat(0.5f, count).ToArray();
        var map = new float[count];
        map[5 + Shape[0] * (35 + Shape[1] * 30)] = peak;
        map[20 + Shape[0] * (35 + Shape[1] * 30)] = -0.5f;
        return (image, map);
    }

    [Fact]
    public void The_three_panels_are_squares_of_one_size_in_a_row()
    {
        var (image, map) = Volumes();
        var path = Path.Combine(_folder, "overlay.png");

        var layout = SaliencyOverlay.Write(path, image, map, Shape, Affine(1), "test, mean of 4 sessions: GradCam");

        Assert.Equal(["axial", "coronal", "sagittal"], layout.Panels.Select(p => p.View));
        Assert.All(layout.Panels, p => Assert.Equal(SaliencyOverlay.PanelSize, p.Size));
        Assert.Single(layout.Panels.Select(p => p.Top).Distinct());
        Assert.All(layout.Panels.Zip(layout.Panels.Skip(1)), pair => Assert.True(pair.First.Left + pair.First.Size < pair.Second.Left));
        using var png = SKBitmap.Decode(path);
        Assert.Equal((layout.Width, layout.Height), (png.Width, png.Height));
        Assert.True(layout.Panels[^1].Left + SaliencyOverlay.PanelSize < png.Width, "room for the colour bar");
    }

    [Fact]
    public void Panels_carry_orientation_letters_and_the_slices_world_coordinates()
    {
        var (_, map) = Volumes();

        var layout = SaliencyOverlay.Layout(map, Shape, Affine(1));

        Assert.Equal([5, 35, 30], layout.Centre);
        Assert.Equal(["L", "R", "A", "P"], layout.Panels[0].Letters);
        Assert.Equal(["L", "R", "S", "I"], layout.Panels[1].Letters);
        Assert.Equal(["P", "A", "S", "I"], layout.Panels[2].Letters);
        // Voxel (5, 35, 30) lies at x = 3 * 5 - 84, y = 3 * 35 - 120, z = 3 * 30 - 72.
        Assert.Equal(["z = 18 mm", "y = -15 mm", "x = -69 mm"], layout.Panels.Select(p => p.Coordinate));
    }

    [Fact]
    public void The_colour_range_is_symmetric_for_signed_maps_and_starts_at_zero_otherwise()
    {
        var (_, signed) = Volumes();
        var layout = SaliencyOverlay.Layout(signed, Shape, Affine(1));
        Assert.Equal((-0.5, 2.0), (layout.MapMinimum, layout.MapMaximum));
        Assert.Equal((-2.0, 2.0), (layout.ColourLow, layout.ColourHigh));

        var positive = signed.Select(Math.Abs).ToArray();
        layout = SaliencyOverlay.Layout(positive, Shape, Affine(1));
        Assert.Equal((0.0, 2.0), (layout.ColourLow, layout.ColourHigh));
    }

    [Theory]
    [InlineData(1, "left")]
    [InlineData(-1, "right")]
    public void The_subjects_right_is_drawn_on_the_right_whichever_way_x_runs_on_disk(double xSign, string side)
    {
        // Voxel i = 5 is on the subject's left when x grows to the right (RAS), on the right when it is flipped (LAS).
        var (image, map) = Volumes();
        var path = Path.Combine(_folder, $"overlay{xSign}.png");

        var layout = SaliencyOverlay.Write(path, image, map, Shape, Affine(xSign), "t");

        var axial = layout.Panels[0];
        using var png = SKBitmap.Decode(path);
        var red = Enumerable.Range(axial.Left, axial.Size)
            .Where(x => Enumerable.Range(axial.Top, axial.Size).Any(y => png.GetPixel(x, y) is { Red: > 200, Green: < 100, Blue: < 100 }))
            .ToArray();
        Assert.NotEmpty(red);
        var middle = axial.Left + axial.Size / 2;
        Assert.True(side == "left" ? red.Max() < middle : red.Min() > middle, $"red columns {red.Min()}-{red.Max()}, panel middle {middle}");
    }
}
