using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>
/// Single numbers from the run's generator, one libtorch draw each: every augmentation takes its parameters
/// through these, and the order and kind of the draws is what makes a seeded run repeat.
/// </summary>
internal static class RandomDraws
{
    public static double Uniform(Generator generator, double low, double high)
    {
        using var draw = rand(1, generator: generator, dtype: ScalarType.Float64);
        return low + (high - low) * draw.item<double>();
    }

    /// <summary>A uniform integer in [low, high], both included.</summary>
    public static long UniformInteger(Generator generator, long low, long high)
    {
        using var draw = randint(low, high + 1, [1], generator: generator);
        return draw.item<long>();
    }
}
