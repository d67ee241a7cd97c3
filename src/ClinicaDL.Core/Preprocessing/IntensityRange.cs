namespace ClinicaDL.Core.Preprocessing;

/// <summary>Intensity statistics of an image: its extremes (refusing NaN or infinite voxels) and robust percentiles.</summary>
internal static class IntensityRange
{
    public static (float Minimum, float Maximum) Of(Volume image, string step)
    {
        var minimum = float.PositiveInfinity;
        var maximum = float.NegativeInfinity;
        var nonFinite = 0L;
        var firstNonFinite = -1;
        var values = image.Values;
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i];
            if (!float.IsFinite(value))
            {
                nonFinite++;
                firstNonFinite = firstNonFinite < 0 ? i : firstNonFinite;
                continue;
            }
            minimum = Math.Min(minimum, value);
            maximum = Math.Max(maximum, value);
        }
        if (nonFinite > 0)
        {
            var (nx, ny) = (image.Shape[0], image.Shape[1]);
            throw new PreprocessingException(
                $"{step} needs finite intensities, but {nonFinite} of the image's {values.Length} voxels are NaN or infinite " +
                $"(the first at voxel ({firstNonFinite % nx}, {firstNonFinite / nx % ny}, {firstNonFinite / (nx * ny)}): {values[firstNonFinite]}).");
        }
        return (minimum, maximum);
    }

    /// <summary>The range a histogram spans: the minimum to the 99.5th percentile, so a few bright voxels
    /// (vessels, fat) do not squeeze the tissues into a few bins.</summary>
    public static (double Low, double High) Robust(float[] values)
    {
        var low = values.Min();
        var high = Percentile(values, 0.995);
        return (low, high > low ? high : low + 1);
    }

    /// <summary>A percentile from a strided subsample: plenty for millions of voxels and keeps the sort cheap.</summary>
    public static double Percentile(float[] values, double fraction)
    {
        var stride = Math.Max(1, values.Length / 200_000);
        var subsample = new float[(values.Length + stride - 1) / stride];
        for (var i = 0; i < subsample.Length; i++)
        {
            subsample[i] = values[i * stride];
        }
        Array.Sort(subsample);
        return subsample[(int)Math.Round(fraction * (subsample.Length - 1))];
    }
}
