namespace ClinicaDL.Core.Preprocessing;

/// <summary>Robust intensity statistics of an image, from a strided subsample (plenty for millions of voxels).</summary>
internal static class IntensityRange
{
    /// <summary>The range a histogram spans: the minimum to the 99.5th percentile, so a few bright voxels
    /// (vessels, fat) do not squeeze the tissues into a few bins.</summary>
    public static (double Low, double High) Robust(float[] values)
    {
        var low = values.Min();
        var high = Percentile(values, 0.995);
        return (low, high > low ? high : low + 1);
    }

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
