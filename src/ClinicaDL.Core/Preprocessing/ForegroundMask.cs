namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// The head (or phantom) in an image, against the dark background around it: Otsu's threshold, the largest
/// connected piece above it, with its holes filled (the dark skull, CSF and ventricles enclosed by the scalp):
/// first in 3D, then in every axial, coronal and sagittal plane, because in 3D a real head's dark inside reaches
/// the border of the image, through the spinal canal down the cut neck, through the nose and the ears.
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
        var above = new bool[image.VoxelCount];
        for (var i = 0; i < above.Length; i++)
        {
            above[i] = image.Values[i] > threshold;
        }
        var foreground = FillHoles(LargestComponent(above, image.Shape), image.Shape);
        FillHolesInPlanes(foreground, image.Shape);
        var mask = new float[image.VoxelCount];
        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] = foreground[i] ? 1 : 0;
        }
        return image.WithValues(mask);
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

    /// <summary>The largest face-connected component of the mask.</summary>
    private static bool[] LargestComponent(bool[] mask, int[] shape)
    {
        var runs = new VoxelRuns(mask, shape, value: true);
        var sizes = new long[runs.Count];
        for (var run = 0; run < runs.Count; run++)
        {
            sizes[runs.Component(run)] += runs.Length(run);
        }
        var largest = Array.IndexOf(sizes, sizes.Max());
        var component = new bool[mask.Length];
        for (var run = 0; run < runs.Count; run++)
        {
            if (runs.Component(run) == largest)
            {
                runs.Paint(run, component, true);
            }
        }
        return component;
    }

    /// <summary>Fills the holes of each plane across each axis in turn (z, y, x), the planes of an axis in parallel.</summary>
    private static void FillHolesInPlanes(bool[] mask, int[] shape)
    {
        int[] strides = [1, shape[0], shape[0] * shape[1]];
        foreach (var normal in new[] { 2, 1, 0 })
        {
            var (across, up) = normal switch { 2 => (0, 1), 1 => (0, 2), _ => (1, 2) };
            Parallel.For(0, shape[normal], plane =>
            {
                var values = new bool[shape[across] * shape[up]];
                var origin = plane * strides[normal];
                for (var b = 0; b < shape[up]; b++)
                {
                    for (var a = 0; a < shape[across]; a++)
                    {
                        values[a + shape[across] * b] = mask[origin + a * strides[across] + b * strides[up]];
                    }
                }
                FillHoles(values, [shape[across], shape[up], 1]);
                for (var b = 0; b < shape[up]; b++)
                {
                    for (var a = 0; a < shape[across]; a++)
                    {
                        mask[origin + a * strides[across] + b * strides[up]] = values[a + shape[across] * b];
                    }
                }
            });
        }
    }

    /// <summary>The mask with the background that no face-connected path of background joins to the grid's border added.</summary>
    private static bool[] FillHoles(bool[] mask, int[] shape)
    {
        var runs = new VoxelRuns(mask, shape, value: false);
        var outside = new bool[runs.Count];
        for (var run = 0; run < runs.Count; run++)
        {
            if (runs.TouchesBorder(run))
            {
                outside[runs.Component(run)] = true;
            }
        }
        for (var run = 0; run < runs.Count; run++)
        {
            if (!outside[runs.Component(run)])
            {
                runs.Paint(run, mask, true);
            }
        }
        return mask;
    }
}
