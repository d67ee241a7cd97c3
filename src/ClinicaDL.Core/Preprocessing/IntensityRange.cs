namespace ClinicaDL.Core.Preprocessing;

/// <summary>The lowest and highest intensity of an image, refusing images with NaN or infinite voxels.</summary>
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
}
