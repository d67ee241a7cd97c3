using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Runtime;

/// <summary>
/// The TorchSharp operations that make a Scalar inside and let it go (see <see cref="ScalarScope"/>): <c>a + b</c> and
/// <c>add_(b)</c> pass an alpha of 1, <c>square()</c> an exponent of 2, <c>arange(stop)</c> a start and a step, the
/// activations their slope. These give libtorch the same arguments through Scalars that live for the process, so
/// the values are the same bits. The architecture tests refuse the engine any call to a TorchSharp method that makes
/// such a Scalar inside.
/// </summary>
public static class TensorArithmetic
{
    private static readonly Scalar Zero = 0.ToScalar();
    private static readonly Scalar One = 1.ToScalar();

    /// <summary><c>a + b</c>.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary><c>a + value</c>, the value kept alive by the caller.</summary>
    public static Tensor Plus(this Tensor a, Scalar value) => a.add(value, One);

    /// <summary><c>a += b</c>.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    /// <summary><c>a += value</c>, the value kept alive by the caller.</summary>
    public static Tensor PlusInPlace(this Tensor a, Scalar value) => a.add_(value, One);

    /// <summary><c>value - a</c>, the value kept alive by the caller.</summary>
    public static Tensor SubtractedFrom(this Tensor a, Scalar value)
    {
        using var negated = a.neg();
        return negated.add(value, One);
    }

    /// <summary><c>a * a</c>: the same values and gradients as <c>square()</c> (pow 2 runs as a product).</summary>
    public static Tensor Squared(this Tensor a) => a.mul(a);

    /// <summary>0, 1, ..., stop - 1 (<c>arange(stop)</c>), the stop kept alive by the caller.</summary>
    public static Tensor Range(Scalar stop, ScalarType? type = null, Device? device = null) => arange(Zero, stop, One, type, device);
}
