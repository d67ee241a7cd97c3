using System.Globalization;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.IO;
using SkiaSharp;

namespace ClinicaDL.Core.Reports;

/// <summary>One view of a <see cref="SaliencyOverlay"/>: where its square panel is and how it is labelled.</summary>
/// <param name="View">axial, coronal or sagittal.</param>
/// <param name="Left">The panel's left edge in the picture, in pixels.</param>
/// <param name="Top">The panel's top edge in the picture, in pixels.</param>
/// <param name="Size">The panel's width and height, in pixels.</param>
/// <param name="Letters">The orientation letters at the panel's left, right, top and bottom edges.</param>
/// <param name="Coordinate">The slice's world coordinate, e.g. "z = 12 mm".</param>
public sealed record OverlayPanel(string View, int Left, int Top, int Size, string[] Letters, string Coordinate);

/// <summary>Where everything lies in a <see cref="SaliencyOverlay"/> picture.</summary>
/// <param name="Width">The picture's width in pixels.</param>
/// <param name="Height">The picture's height in pixels.</param>
/// <param name="Panels">Axial, coronal and sagittal, left to right.</param>
/// <param name="Centre">The voxel the three slices go through (the map's strongest).</param>
/// <param name="MapMinimum">The map's smallest value.</param>
/// <param name="MapMaximum">The map's largest value.</param>
/// <param name="ColourLow">The value at the colour bar's bottom: minus <see cref="ColourHigh"/> when the map has negative values, else 0.</param>
/// <param name="ColourHigh">The value at the colour bar's top: the map's largest magnitude.</param>
public sealed record OverlayLayout(int Width, int Height, IReadOnlyList<OverlayPanel> Panels, int[] Centre, double MapMinimum, double MapMaximum, double ColourLow, double ColourHigh);

/// <summary>
/// A saliency map over the mean input image, in three orthogonal slices through the map's strongest voxel: the
/// image in grey, the map in colour (red where it argues for the target, blue against) with opacity growing with
/// its magnitude, so weak saliency leaves the anatomy visible. The slices are reoriented from the image's affine to
/// one display whatever the voxel order on disk (neurological: the subject's right on the right; anterior or
/// superior up), drawn at one scale in mm in panels of equal size, and labelled with a title, orientation letters,
/// the slices' world coordinates and a colour bar with the map's value range.
/// </summary>
public static class SaliencyOverlay
{
    /// <summary>The width and height of each view's panel, in pixels.</summary>
    public const int PanelSize = 256;

    private const int Margin = 12;
    private const int Gap = 12;
    private const int HeaderHeight = 50;
    private const int FooterHeight = 24;
    private const int ColourBarWidth = 14;
    private const int ColourBarLabels = 80;

    /// <summary>The band inside each panel's edges kept for its orientation letters, so they never cover the image.</summary>
    private const int LetterBand = 18;

    /// <summary>Each view: its name, the world axes across (towards R or A) and up (towards A or S), and the world axis it cuts.</summary>
    private static readonly (string View, int Across, int Up, int Cut)[] Views = [("axial", 0, 1, 2), ("coronal", 0, 2, 1), ("sagittal", 1, 2, 0)];

    private static readonly string[] WorldAxisNames = ["x", "y", "z"];

    /// <summary>Writes the PNG; returns its layout.</summary>
    /// <param name="path">The PNG file, written atomically.</param>
    /// <param name="image">The image, x fastest.</param>
    /// <param name="map">The saliency map on the image's grid.</param>
    /// <param name="shape">The grid's size along i, j, k.</param>
    /// <param name="affine">The grid's voxel-to-world affine.</param>
    /// <param name="title">What the map is: data group, participant and session (or how many were averaged), method.</param>
    public static OverlayLayout Write(string path, float[] image, float[] map, int[] shape, AffineMatrix affine, string title)
    {
        var layout = Layout(map, shape, affine);
        var axes = AnatomicalOrientation.Axes(affine);
        var voxelOf = new int[3];
        for (var v = 0; v < 3; v++)
        {
            voxelOf[axes[v].WorldAxis] = v;
        }
        var sizes = AnatomicalOrientation.VoxelSizes(affine);
        var pixelsPerMm = PixelsPerMm(shape, sizes);
        var imageMax = Math.Max(image.Max(), 1e-12f);

        using var bitmap = new SKBitmap(layout.Width, layout.Height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var typeface = SKTypeface.FromFamilyName(ScottPlot.Fonts.Default);
        using var bold = SKTypeface.FromFamilyName(ScottPlot.Fonts.Default, SKFontStyle.Bold);
        using var titleFont = new SKFont(bold, 15);
        using var smallFont = new SKFont(typeface, 12);
        using var letterFont = new SKFont(bold, 13);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var background = new SKPaint { Color = SKColors.Black };
        using var letterInk = new SKPaint { Color = new SKColor(255, 235, 120), IsAntialias = true };
        canvas.DrawText(title, Margin, Margin + 15, SKTextAlign.Left, titleFont, ink);
        canvas.DrawText(string.Create(CultureInfo.InvariantCulture,
            $"map values {layout.MapMinimum:G3} to {layout.MapMaximum:G3}; slices through its strongest voxel ({string.Join(", ", layout.Centre)})"),
            Margin, Margin + 33, SKTextAlign.Left, smallFont, ink);

        for (var p = 0; p < Views.Length; p++)
        {
            var (_, across, up, _) = Views[p];
            var panel = layout.Panels[p];
            using var slice = Slice(image, map, shape, layout.Centre, axes, voxelOf, sizes, pixelsPerMm, across, up, imageMax, (float)layout.ColourHigh);
            canvas.DrawRect(panel.Left, panel.Top, panel.Size, panel.Size, background);
            canvas.DrawBitmap(slice, panel.Left + (panel.Size - slice.Width) / 2, panel.Top + (panel.Size - slice.Height) / 2);
            var middleY = panel.Top + panel.Size / 2 + 5;
            canvas.DrawText(panel.Letters[0], panel.Left + 4, middleY, SKTextAlign.Left, letterFont, letterInk);
            canvas.DrawText(panel.Letters[1], panel.Left + panel.Size - 4, middleY, SKTextAlign.Right, letterFont, letterInk);
            canvas.DrawText(panel.Letters[2], panel.Left + panel.Size / 2, panel.Top + 15, SKTextAlign.Center, letterFont, letterInk);
            canvas.DrawText(panel.Letters[3], panel.Left + panel.Size / 2, panel.Top + panel.Size - 5, SKTextAlign.Center, letterFont, letterInk);
            canvas.DrawText($"{panel.View}, {panel.Coordinate}", panel.Left + panel.Size / 2, panel.Top + panel.Size + 17, SKTextAlign.Center, smallFont, ink);
        }
        ColourBar(canvas, layout, smallFont, ink);
        canvas.Flush();
        using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(path, encoded.ToArray());
        return layout;
    }

    /// <summary>The picture's layout for a map on a grid: panels, letters, slice coordinates and colour range, without drawing.</summary>
    public static OverlayLayout Layout(float[] map, int[] shape, AffineMatrix affine)
    {
        var (nx, ny) = (shape[0], shape[1]);
        var strongest = 0;
        for (var i = 1; i < map.Length; i++)
        {
            if (Math.Abs(map[i]) > Math.Abs(map[strongest]))
            {
                strongest = i;
            }
        }
        int[] centre = [strongest % nx, strongest / nx % ny, strongest / (nx * ny)];
        var world = AnatomicalOrientation.World(affine, centre);
        var (minimum, maximum) = (map.Min(), map.Max());
        var high = Math.Max(Math.Abs((double)map[strongest]), 1e-12);
        var panels = Views.Select((view, p) => new OverlayPanel(view.View, Margin + p * (PanelSize + Gap), HeaderHeight, PanelSize,
            [
                AnatomicalOrientation.Letter(view.Across, -1), AnatomicalOrientation.Letter(view.Across, +1),
                AnatomicalOrientation.Letter(view.Up, +1), AnatomicalOrientation.Letter(view.Up, -1),
            ],
            string.Create(CultureInfo.InvariantCulture, $"{WorldAxisNames[view.Cut]} = {world[view.Cut]:0.#} mm"))).ToList();
        var width = Margin + Views.Length * PanelSize + (Views.Length - 1) * Gap + Gap + ColourBarWidth + ColourBarLabels + Margin;
        return new OverlayLayout(width, HeaderHeight + PanelSize + FooterHeight, panels, centre, minimum, maximum, minimum < 0 ? -high : 0, high);
    }

    /// <summary>One scale for the three views: the image's largest extent in mm fills a panel inside its letter bands.</summary>
    private static double PixelsPerMm(int[] shape, double[] sizes) => (PanelSize - 2 * LetterBand) / Enumerable.Range(0, 3).Max(v => shape[v] * sizes[v]);

    /// <summary>
    /// One view, nearest-voxel sampled at <paramref name="pixelsPerMm"/>: pixel columns run towards R (or A), rows
    /// from S (or A) down, whichever way the voxel axes run on disk.
    /// </summary>
    private static SKBitmap Slice(float[] image, float[] map, int[] shape, int[] centre, (int WorldAxis, int Sign)[] axes, int[] voxelOf, double[] sizes,
        double pixelsPerMm, int across, int up, float imageMax, float colourHigh)
    {
        var (h, v) = (voxelOf[across], voxelOf[up]);
        var width = Math.Max(1, (int)Math.Round(shape[h] * sizes[h] * pixelsPerMm));
        var height = Math.Max(1, (int)Math.Round(shape[v] * sizes[v] * pixelsPerMm));
        var pixels = new SKColor[width * height];
        var voxel = (int[])centre.Clone();
        for (var row = 0; row < height; row++)
        {
            // Rows go down the screen, against the up axis; columns along the across axis; each flipped where the voxel axis runs the other way.
            var fromTop = Math.Min(shape[v] - 1, (int)((row + 0.5) / (sizes[v] * pixelsPerMm)));
            voxel[v] = axes[v].Sign > 0 ? shape[v] - 1 - fromTop : fromTop;
            for (var column = 0; column < width; column++)
            {
                var fromLeft = Math.Min(shape[h] - 1, (int)((column + 0.5) / (sizes[h] * pixelsPerMm)));
                voxel[h] = axes[h].Sign > 0 ? fromLeft : shape[h] - 1 - fromLeft;
                var index = voxel[0] + shape[0] * (voxel[1] + shape[1] * voxel[2]);
                pixels[row * width + column] = Blend(Math.Clamp(image[index] / imageMax, 0, 1) * 255, map[index] / colourHigh);
            }
        }
        return new SKBitmap(width, height) { Pixels = pixels };
    }

    /// <summary>Grey (0-255) under the map's colour at a strength in [-1, 1] of the colour scale.</summary>
    private static SKColor Blend(float grey, float strength)
    {
        strength = Math.Clamp(strength, -1, 1);
        var alpha = Math.Abs(strength) * 0.85f;
        var (r, g, b) = strength >= 0 ? (255f, 64f * (1 - strength), 0f) : (0f, 64f * (1 + strength), 255f);
        return new SKColor((byte)(grey * (1 - alpha) + r * alpha), (byte)(grey * (1 - alpha) + g * alpha), (byte)(grey * (1 - alpha) + b * alpha));
    }

    /// <summary>The colour bar right of the panels: the map's colours over mid grey, from <see cref="OverlayLayout.ColourLow"/> up to <see cref="OverlayLayout.ColourHigh"/>.</summary>
    private static void ColourBar(SKCanvas canvas, OverlayLayout layout, SKFont font, SKPaint ink)
    {
        var last = layout.Panels[^1];
        var left = last.Left + last.Size + Gap;
        var (top, height) = (last.Top, last.Size);
        for (var y = 0; y < height; y++)
        {
            var value = layout.ColourHigh - (layout.ColourHigh - layout.ColourLow) * (y + 0.5) / height;
            using var paint = new SKPaint { Color = Blend(128, (float)(value / layout.ColourHigh)) };
            canvas.DrawRect(left, top + y, ColourBarWidth, 1, paint);
        }
        using var frame = new SKPaint { Color = SKColors.Gray, Style = SKPaintStyle.Stroke };
        canvas.DrawRect(left, top, ColourBarWidth, height, frame);
        void Label(double value, float y) =>
            canvas.DrawText(value.ToString("G3", CultureInfo.InvariantCulture), left + ColourBarWidth + 4, y + 4, SKTextAlign.Left, font, ink);
        Label(layout.ColourHigh, top + 4);
        Label(layout.ColourLow, top + height - 4);
        if (layout.ColourLow < 0)
        {
            Label(0, top + height / 2f);
        }
        canvas.DrawText("saliency", left, top - 6, SKTextAlign.Left, font, ink);
    }
}
