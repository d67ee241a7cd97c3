using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Augmentation;

internal static class TensorAssert
{
    /// <summary>Same shape and every value within <paramref name="tolerance"/>, naming the largest difference.</summary>
    public static void Close(Tensor expected, Tensor actual, double tolerance)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var difference = (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs().max();
        var largest = difference.item<double>();
        Assert.True(largest <= tolerance, $"largest difference {largest}, tolerance {tolerance}");
    }

    /// <summary>Same shape and the same values bit for bit.</summary>
    public static void Identical(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.eq(actual).all().item<bool>(), "the tensors differ");
    }
}
