namespace ClinicaDL.Core.Reports;

/// <summary>
/// Mid-axial, mid-coronal and mid-sagittal slices of volumes side by side, one row per volume, in radiological
/// display (superior or anterior up), with one intensity window for all so intensities compare across rows.
/// </summary>
public static class SliceMontage
{
    /// <summary>Slices through the middle of the volumes, or through <paramref name="centre"/> (voxel indices) when given.</summary>
    public static void Write(string path, IReadOnlyList<float[]> volumes, int[] shape, int[]? centre = null, int zoom = 1)
    {
        var (nx, ny, nz) = (shape[0], shape[1], shape[2]);
        var (cx, cy, cz) = centre is null ? (nx / 2, ny / 2, nz / 2) : (centre[0], centre[1], centre[2]);
        var max = volumes.Max(v => Percentile(v, 0.995));
        var width = nx + nx + ny;
        var rowHeight = Math.Max(ny, nz);
        var pixels = new byte[width * rowHeight * volumes.Count];
        for (var r = 0; r < volumes.Count; r++)
        {
            var volume = volumes[r];
            float At(int i, int j, int k) => volume[i + nx * (j + ny * k)];
            var top = r * rowHeight;
            // Axial (z = middle): x across, y up.
            Paint(pixels, width, top, 0, nx, ny, (c, row) => At(c, ny - 1 - row, cz), max);
            // Coronal (y = middle): x across, z up.
            Paint(pixels, width, top, nx, nx, nz, (c, row) => At(c, cy, nz - 1 - row), max);
            // Sagittal (x = middle): y across, z up.
            Paint(pixels, width, top, 2 * nx, ny, nz, (c, row) => At(cx, c, nz - 1 - row), max);
        }
        var height = rowHeight * volumes.Count;
        GrayscalePng.Write(path, width * zoom, height * zoom, zoom == 1 ? pixels : Enlarge(pixels, width, height, zoom));
    }

    private static byte[] Enlarge(byte[] pixels, int width, int height, int zoom)
    {
        var large = new byte[pixels.Length * zoom * zoom];
        for (var y = 0; y < height * zoom; y++)
        {
            for (var x = 0; x < width * zoom; x++)
            {
                large[y * width * zoom + x] = pixels[y / zoom * width + x / zoom];
            }
        }
        return large;
    }

    private static void Paint(byte[] pixels, int width, int top, int left, int columns, int rows, Func<int, int, float> value, float max)
    {
        for (var row = 0; row < rows; row++)
        {
            for (var column = 0; column < columns; column++)
            {
                pixels[(top + row) * width + left + column] = (byte)Math.Clamp(255 * value(column, row) / max, 0, 255);
            }
        }
    }

    private static float Percentile(float[] values, double fraction)
    {
        var sorted = values.Where((_, i) => i % 7 == 0).Order().ToArray();
        return sorted[(int)(fraction * (sorted.Length - 1))];
    }
}
