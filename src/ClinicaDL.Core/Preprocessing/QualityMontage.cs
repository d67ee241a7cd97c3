using ClinicaDL.Core.IO;
using ClinicaDL.Core.Imaging;
using SkiaSharp;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// The picture of one quality-checked image: its axial, coronal and sagittal slices through the grid's centre in grey,
/// with the template's edges over them in colour, so a misregistration shows as anatomy that does not follow the
/// lines. The slices are reoriented from the affine to one display whatever the voxel order on disk (as
/// the report's saliency overlays: the subject's right on the right, anterior or superior up) and drawn at one scale in mm.
/// The slices are captured when the image is measured and drawn once the verdict is known, so the image itself need
/// not stay in memory.
/// </summary>
public sealed class QualityMontage
{
    /// <summary>The width and height of each view's panel, in pixels.</summary>
    public const int PanelSize = 256;

    private const int Margin = 12;
    private const int Gap = 12;
    private const int HeaderHeight = 50;
    private const int FooterHeight = 8;
    private const int LetterBand = 18;

    private static readonly SKColor EdgeColour = new(255, 60, 40);
    private static readonly SKColor PassColour = new(0, 120, 40);
    private static readonly SKColor FailColour = new(190, 0, 0);

    /// <summary>Each view: the world axes across (towards R or A) and up (towards A or S).</summary>
    private static readonly (int Across, int Up)[] Views = [(0, 1), (0, 2), (1, 2)];

    private readonly Plane[] _planes;
    private readonly double _pixelsPerMm;

    private QualityMontage(Plane[] planes, double pixelsPerMm)
    {
        _planes = planes;
        _pixelsPerMm = pixelsPerMm;
    }

    /// <summary>The three central slices of <paramref name="image"/>, windowed to its 99.5th percentile, and the edges on them.</summary>
    public static QualityMontage Capture(Volume image, bool[] templateEdges)
    {
        var axes = AnatomicalOrientation.Axes(image.Affine);
        var voxelOf = new int[3];
        for (var v = 0; v < 3; v++)
        {
            voxelOf[axes[v].WorldAxis] = v;
        }
        var sizes = AnatomicalOrientation.VoxelSizes(image.Affine);
        var shape = image.Shape;
        var window = Math.Max(Quantile(image.Values, 0.995), 1e-12f);
        int[] centre = [shape[0] / 2, shape[1] / 2, shape[2] / 2];
        var planes = Views.Select(view =>
        {
            var (h, v) = (voxelOf[view.Across], voxelOf[view.Up]);
            var (columns, rows) = (shape[h], shape[v]);
            var grey = new byte[columns * rows];
            var edges = new bool[columns * rows];
            var voxel = (int[])centre.Clone();
            for (var row = 0; row < rows; row++)
            {
                // Rows go down the screen, against the up axis; columns along the across axis.
                voxel[v] = axes[v].Sign > 0 ? rows - 1 - row : row;
                for (var column = 0; column < columns; column++)
                {
                    voxel[h] = axes[h].Sign > 0 ? column : columns - 1 - column;
                    var index = voxel[0] + shape[0] * (voxel[1] + shape[1] * voxel[2]);
                    grey[row * columns + column] = (byte)Math.Clamp(255 * image.Values[index] / window, 0, 255);
                    edges[row * columns + column] = templateEdges[index];
                }
            }
            return new Plane(columns, rows, sizes[h], sizes[v],
                [AnatomicalOrientation.Letter(view.Across, -1), AnatomicalOrientation.Letter(view.Across, +1),
                 AnatomicalOrientation.Letter(view.Up, +1), AnatomicalOrientation.Letter(view.Up, -1)], grey, edges);
        }).ToArray();
        var pixelsPerMm = (PanelSize - 2 * LetterBand) / Enumerable.Range(0, 3).Max(v => shape[v] * sizes[v]);
        return new QualityMontage(planes, pixelsPerMm);
    }

    /// <summary>Draws the PNG (atomically): a title, a verdict line in green or red, and the three views.</summary>
    public void Write(string path, string title, string verdict, bool pass)
    {
        var width = Margin + Views.Length * PanelSize + (Views.Length - 1) * Gap + Margin;
        using var bitmap = new SKBitmap(width, HeaderHeight + PanelSize + FooterHeight);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var typeface = SKTypeface.FromFamilyName(ScottPlot.Fonts.Default);
        using var bold = SKTypeface.FromFamilyName(ScottPlot.Fonts.Default, SKFontStyle.Bold);
        using var titleFont = new SKFont(bold, 15);
        using var smallFont = new SKFont(typeface, 12);
        using var letterFont = new SKFont(bold, 13);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var verdictInk = new SKPaint { Color = pass ? PassColour : FailColour, IsAntialias = true };
        using var background = new SKPaint { Color = SKColors.Black };
        using var letterInk = new SKPaint { Color = new SKColor(255, 235, 120), IsAntialias = true };
        canvas.DrawText(title, Margin, Margin + 15, SKTextAlign.Left, titleFont, ink);
        canvas.DrawText(verdict, Margin, Margin + 33, SKTextAlign.Left, smallFont, verdictInk);
        for (var p = 0; p < _planes.Length; p++)
        {
            var plane = _planes[p];
            var (left, top) = (Margin + p * (PanelSize + Gap), HeaderHeight);
            canvas.DrawRect(left, top, PanelSize, PanelSize, background);
            using var slice = plane.Draw(_pixelsPerMm);
            canvas.DrawBitmap(slice, left + (PanelSize - slice.Width) / 2, top + (PanelSize - slice.Height) / 2);
            var middle = top + PanelSize / 2 + 5;
            canvas.DrawText(plane.Letters[0], left + 4, middle, SKTextAlign.Left, letterFont, letterInk);
            canvas.DrawText(plane.Letters[1], left + PanelSize - 4, middle, SKTextAlign.Right, letterFont, letterInk);
            canvas.DrawText(plane.Letters[2], left + PanelSize / 2, top + 15, SKTextAlign.Center, letterFont, letterInk);
            canvas.DrawText(plane.Letters[3], left + PanelSize / 2, top + PanelSize - 5, SKTextAlign.Center, letterFont, letterInk);
        }
        canvas.Flush();
        using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(path, encoded.ToArray());
    }

    private static float Quantile(float[] values, double fraction)
    {
        var sample = values.Where((_, i) => i % 7 == 0).Order().ToArray();
        return sample[(int)(fraction * (sample.Length - 1))];
    }

    /// <summary>One view in display order (top row first, left column first): grey levels, edge flags, voxel sizes in mm and the letters at its left, right, top and bottom.</summary>
    private sealed record Plane(int Columns, int Rows, double ColumnMm, double RowMm, string[] Letters, byte[] Grey, bool[] Edges)
    {
        /// <summary>The view at <paramref name="pixelsPerMm"/>, nearest-voxel sampled, the edges blended over the grey.</summary>
        public SKBitmap Draw(double pixelsPerMm)
        {
            var width = Math.Max(1, (int)Math.Round(Columns * ColumnMm * pixelsPerMm));
            var height = Math.Max(1, (int)Math.Round(Rows * RowMm * pixelsPerMm));
            var pixels = new SKColor[width * height];
            for (var y = 0; y < height; y++)
            {
                var row = Math.Min(Rows - 1, (int)((y + 0.5) / (RowMm * pixelsPerMm)));
                for (var x = 0; x < width; x++)
                {
                    var index = row * Columns + Math.Min(Columns - 1, (int)((x + 0.5) / (ColumnMm * pixelsPerMm)));
                    var grey = Grey[index];
                    pixels[y * width + x] = Edges[index]
                        ? new SKColor((byte)(0.2 * grey + 0.8 * EdgeColour.Red), (byte)(0.2 * grey + 0.8 * EdgeColour.Green), (byte)(0.2 * grey + 0.8 * EdgeColour.Blue))
                        : new SKColor(grey, grey, grey);
                }
            }
            return new SKBitmap(width, height) { Pixels = pixels };
        }
    }
}
