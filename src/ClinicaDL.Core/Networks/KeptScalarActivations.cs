using ClinicaDL.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// LeakyReLU with its slope in a Scalar it keeps: TorchSharp's module makes a new one at every forward pass and
/// lets it go (see <see cref="ScalarScope"/>). No parameters, so the state dict is PyTorch's LeakyReLU's (none).
/// </summary>
public sealed class KeptLeakyReLU(double negativeSlope) : nn.Module<Tensor, Tensor>("LeakyReLU")
{
    private readonly Scalar _slope = negativeSlope.ToScalar();

    public double NegativeSlope { get; } = negativeSlope;

    public override Tensor forward(Tensor input) => input.leaky_relu(_slope);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _slope.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>ELU with its alpha, scale and input scale in Scalars it keeps, for the reason given at <see cref="KeptLeakyReLU"/>.</summary>
public sealed class KeptELU(double alpha) : nn.Module<Tensor, Tensor>("ELU")
{
    private readonly Scalar _alpha = alpha.ToScalar();
    private readonly Scalar _one = 1.0.ToScalar();

    public double Alpha { get; } = alpha;

    public override Tensor forward(Tensor input) => input.elu(_alpha, _one, _one);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _alpha.Dispose();
            _one.Dispose();
        }
        base.Dispose(disposing);
    }
}
