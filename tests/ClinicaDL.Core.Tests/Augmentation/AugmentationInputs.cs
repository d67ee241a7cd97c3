using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Augmentation;

/// <summary>
/// Small fixed samples for the augmentation tests: a bright blob over a repeating texture, made from integers so
/// that every machine builds the same bits (no sin or exp whose last bit a C library may round otherwise).
/// </summary>
internal static class AugmentationInputs
{
    /// <summary>A 3D sample [1, 18, 17, 16]: every axis holds RandomSwap's 15-voxel patches.</summary>
    public static Tensor Volume() => Sample([18, 17, 16]);

    /// <summary>A 2D slice [1, 20, 18].</summary>
    public static Tensor Slice() => Sample([20, 18]);

    private static Tensor Sample(long[] spatial)
    {
        var count = (int)spatial.Aggregate(1L, (a, b) => a * b);
        var values = new float[count];
        var index = new long[spatial.Length];
        for (var i = 0; i < count; i++)
        {
            var rest = (long)i;
            for (var axis = spatial.Length - 1; axis >= 0; axis--)
            {
                index[axis] = rest % spatial[axis];
                rest /= spatial[axis];
            }
            var texture = index.Select((v, axis) => v * (37 - 12 * axis)).Sum() % 29 / 29f;
            var distance = index.Select((v, axis) => (2 * v - spatial[axis]) * (2 * v - spatial[axis])).Sum() / (float)spatial.Sum(n => n * n);
            values[i] = 0.25f * texture + Math.Max(0f, 1f - 2f * distance);
        }
        return tensor(values, [1, .. spatial]);
    }
}
