using TorchSharp;

namespace ClinicaDL.Core.Runtime;

/// <summary>
/// The Scalars an engine computation passes to libtorch, kept alive until the scope ends. TorchSharp 0.107 turns a
/// number given to an operation (<c>t * 2</c>, <c>t.mul_(0.9)</c>, <c>alpha: 0.1</c>) into a Scalar it does not keep
/// alive: once its handle is passed, a collection started by another thread can finalize it, and free its native
/// value, while libtorch still reads it ("Unknown scalar type" in a t1-linear run; dotnet/TorchSharp PRs 1434 and
/// 1496). Every number the engine gives libtorch goes through a scope like this one instead, and a test fails on any
/// implicit conversion or number operand left in the engine.
/// </summary>
public sealed class ScalarScope : IDisposable
{
    private readonly List<Scalar> _scalars = [];

    /// <summary>A Scalar of <paramref name="value"/> that lives as long as this scope.</summary>
    public Scalar Of(double value) => Keep(value.ToScalar());

    /// <inheritdoc cref="Of(double)"/>
    public Scalar Of(long value) => Keep(value.ToScalar());

    private Scalar Keep(Scalar scalar)
    {
        _scalars.Add(scalar);
        return scalar;
    }

    public void Dispose()
    {
        foreach (var scalar in _scalars)
        {
            scalar.Dispose();
        }
        _scalars.Clear();
    }
}
