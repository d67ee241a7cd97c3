namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// The head (or phantom) in an image, against the dark background around it: Otsu's threshold, the largest
/// connected piece above it, with its holes filled (the dark skull, CSF and ventricles enclosed by the scalp).
/// </summary>
public static class ForegroundMask
{
    private const int Bins = 256;

    /// <summary>
    /// The voxels brighter than the background, read at the 99.9th percentile so that a few very bright voxels
    /// (vessels, fat, artefacts) do not squeeze the rest of the histogram into a handful of bins.
    /// </summary>
    private const double CeilingQuantile = 0.999;

    /// <summary>Voxels sorted to find the ceiling: enough for the 99.9th percentile to within a few hundredths of a percent.</summary>
    private const int CeilingSample = 1 << 18;

    /// <summary>1 on the foreground, 0 elsewhere, on the image's grid.</summary>
    public static Volume Otsu(Volume image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (minimum, maximum) = IntensityRange.Of(image, "Finding the foreground");
        if (maximum <= minimum)
        {
            throw new PreprocessingException($"The image has one intensity ({minimum}) everywhere: it has no foreground to find.");
        }
        var ceiling = Ceiling(image.Values);
        if (ceiling <= minimum)
        {
            ceiling = maximum;
        }
        var threshold = Threshold(image.Values, minimum, ceiling);
        var foreground = new bool[image.VoxelCount];
        for (var i = 0; i < foreground.Length; i++)
        {
            foreground[i] = image.Values[i] > threshold;
        }
        var shape = image.Shape;
        KeepLargestComponent(foreground, shape);
        FillHoles(foreground, shape);
        return image.WithValues(foreground.Select(inside => inside ? 1f : 0f).ToArray());
    }

    private static float Ceiling(float[] values)
    {
        var stride = Math.Max(1, values.Length / CeilingSample);
        var sample = new float[(values.Length + stride - 1) / stride];
        for (var i = 0; i < sample.Length; i++)
        {
            sample[i] = values[i * stride];
        }
        Array.Sort(sample);
        return sample[(int)Math.Min(sample.Length - 1, Math.Round(CeilingQuantile * (sample.Length - 1)))];
    }

    /// <summary>Otsu's threshold: the bin edge that maximises the variance between the two classes it separates.</summary>
    private static double Threshold(float[] values, double minimum, double ceiling)
    {
        var width = (ceiling - minimum) / Bins;
        var histogram = new long[Bins];
        foreach (var value in values)
        {
            histogram[Math.Clamp((int)((value - minimum) / width), 0, Bins - 1)]++;
        }
        double total = values.Length;
        var totalMoment = 0.0;
        for (var b = 0; b < Bins; b++)
        {
            totalMoment += b * (double)histogram[b];
        }
        var (below, belowMoment, best, bestBin) = (0.0, 0.0, -1.0, 0);
        for (var b = 0; b < Bins - 1; b++)
        {
            below += histogram[b];
            belowMoment += b * (double)histogram[b];
            var above = total - below;
            if (below == 0 || above == 0)
            {
                continue;
            }
            var difference = belowMoment / below - (totalMoment - belowMoment) / above;
            var between = below * above * difference * difference;
            if (between > best)
            {
                (best, bestBin) = (between, b);
            }
        }
        return minimum + (bestBin + 1) * width;
    }

    /// <summary>Keeps the largest face-connected component of the mask.</summary>
    private static void KeepLargestComponent(bool[] mask, int[] shape)
    {
        var component = new int[mask.Length];
        var stack = new Stack<int>();
        Span<int> neighbours = stackalloc int[6];
        var (largest, largestSize, label) = (0, 0L, 0);
        for (var seed = 0; seed < mask.Length; seed++)
        {
            if (!mask[seed] || component[seed] != 0)
            {
                continue;
            }
            label++;
            component[seed] = label;
            stack.Push(seed);
            var size = 0L;
            while (stack.TryPop(out var voxel))
            {
                size++;
                foreach (var neighbour in neighbours[..Neighbours(voxel, shape, neighbours)])
                {
                    if (mask[neighbour] && component[neighbour] == 0)
                    {
                        component[neighbour] = label;
                        stack.Push(neighbour);
                    }
                }
            }
            if (size > largestSize)
            {
                (largest, largestSize) = (label, size);
            }
        }
        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] = component[i] == largest;
        }
    }

    /// <summary>Adds to the mask the background that no face-connected path of background joins to the grid's border.</summary>
    private static void FillHoles(bool[] mask, int[] shape)
    {
        var (nx, ny, nz) = (shape[0], shape[1], shape[2]);
        var outside = new bool[mask.Length];
        var stack = new Stack<int>();
        for (var k = 0; k < nz; k++)
        {
            for (var j = 0; j < ny; j++)
            {
                for (var i = 0; i < nx; i++)
                {
                    var voxel = i + nx * (j + ny * k);
                    var onBorder = i == 0 || j == 0 || k == 0 || i == nx - 1 || j == ny - 1 || k == nz - 1;
                    if (onBorder && !mask[voxel] && !outside[voxel])
                    {
                        outside[voxel] = true;
                        stack.Push(voxel);
                    }
                }
            }
        }
        Span<int> neighbours = stackalloc int[6];
        while (stack.TryPop(out var voxel))
        {
            foreach (var neighbour in neighbours[..Neighbours(voxel, shape, neighbours)])
            {
                if (!mask[neighbour] && !outside[neighbour])
                {
                    outside[neighbour] = true;
                    stack.Push(neighbour);
                }
            }
        }
        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] = !outside[i];
        }
    }

    /// <summary>Writes the face neighbours of a voxel inside the grid; returns how many there are.</summary>
    private static int Neighbours(int voxel, int[] shape, Span<int> neighbours)
    {
        var (nx, ny, nz) = (shape[0], shape[1], shape[2]);
        var (i, j, k) = (voxel % nx, voxel / nx % ny, voxel / (nx * ny));
        var count = 0;
        if (i > 0) neighbours[count++] = voxel - 1;
        if (i < nx - 1) neighbours[count++] = voxel + 1;
        if (j > 0) neighbours[count++] = voxel - nx;
        if (j < ny - 1) neighbours[count++] = voxel + nx;
        if (k > 0) neighbours[count++] = voxel - nx * ny;
        if (k < nz - 1) neighbours[count++] = voxel + nx * ny;
        return count;
    }
}
