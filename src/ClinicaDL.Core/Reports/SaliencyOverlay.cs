using ClinicaDL.Core.IO;
using SkiaSharp;

namespace ClinicaDL.Core.Reports;

/// <summary>
/// A saliency map over the mean input image, in three orthogonal slices through the map's strongest voxel
/// (axial, coronal, sagittal; superior or anterior up): the image in grey, the map in colour (red where it
/// argues for the target, blue against) with opacity growing with its magnitude, so weak saliency leaves the
/// anatomy visible.
/// </summary>
public static class SaliencyOverlay
{
    /// <summary>Writes a PNG of the three slices, each enlarged <paramref name="zoom"/> times; returns its width and height.</summary>
    public static (int Width, int Height) Write(string path, float[] image, float[] map, int[] shape, int zoom = 4)
    {
        var (nx, ny, nz) = (shape[0], shape[1], shape[2]);
        var strongest = 0;
        for (var i = 1; i < map.Length; i++)
        {
            if (Math.Abs(map[i]) > Math.Abs(map[strongest]))
            {
                strongest = i;
            }
        }
        var (cx, cy, cz) = (strongest % nx, strongest / nx % ny, strongest / (nx * ny));
        var imageMax = Math.Max(image.Max(), 1e-12f);
        var mapMax = Math.Max(Math.Abs(map[strongest]), 1e-12f);
        var width = (nx + nx + ny) * zoom;
        var height = Math.Max(ny, nz) * zoom;
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(SKColors.Black);
        int At(int i, int j, int k) => i + nx * (j + ny * k);
        Paint(bitmap, 0, nx, ny, (c, row) => At(c, ny - 1 - row, cz), image, map, imageMax, mapMax, zoom);
        Paint(bitmap, nx, nx, nz, (c, row) => At(c, cy, nz - 1 - row), image, map, imageMax, mapMax, zoom);
        Paint(bitmap, 2 * nx, ny, nz, (c, row) => At(cx, c, nz - 1 - row), image, map, imageMax, mapMax, zoom);
        using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(path, encoded.ToArray());
        return (width, height);
    }

    private static void Paint(SKBitmap bitmap, int left, int columns, int rows, Func<int, int, int> voxel, float[] image, float[] map, float imageMax, float mapMax, int zoom)
    {
        for (var row = 0; row < rows; row++)
        {
            for (var column = 0; column < columns; column++)
            {
                var index = voxel(column, row);
                var grey = Math.Clamp(image[index] / imageMax, 0, 1) * 255;
                var strength = Math.Clamp(map[index] / mapMax, -1, 1);
                var alpha = Math.Abs(strength) * 0.85f;
                var (r, g, b) = strength >= 0 ? (255f, 64f * (1 - strength), 0f) : (0f, 64f * (1 + strength), 255f);
                var color = new SKColor((byte)(grey * (1 - alpha) + r * alpha), (byte)(grey * (1 - alpha) + g * alpha), (byte)(grey * (1 - alpha) + b * alpha));
                for (var dy = 0; dy < zoom; dy++)
                {
                    for (var dx = 0; dx < zoom; dx++)
                    {
                        bitmap.SetPixel((left + column) * zoom + dx, row * zoom + dy, color);
                    }
                }
            }
        }
    }
}
