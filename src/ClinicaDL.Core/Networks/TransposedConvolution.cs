using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// A 2D or 3D transposed convolution whose output padding differs between axes, run through libtorch's functional
/// form: TorchSharp 0.107's ConvTranspose2d/3d modules apply the first axis's output padding to every axis (an
/// output padding of (1, 0, 1) gave 33x33x33 for 33x40x35). The weight and bias have PyTorch's names, shapes
/// ([in, out, kernel...], [out]) and initialisation, taken from a TorchSharp module of the same shape.
/// A stride-1 one runs as the convolution it equals (the kernel transposed and flipped, padding kernel - 1 -
/// padding): libtorch 2.10's CPU conv_transpose3d at stride 1 gives wrong values from a one-channel input to 512
/// channels for a batch of 2 or more (zeros from 1x1x1 maps, 2 instead of 8 from a 2x2x2 map of ones), which
/// left Vanilla3DspacialVAE's decoder all zeros; the convolution gives the right values (tested).
/// </summary>
internal sealed class TransposedConvolution : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly long[] _stride;
    private readonly long[] _padding;
    private readonly long[] _outputPadding;
    private readonly long _kernel;

    public TransposedConvolution(long input, long output, long kernel, long stride, long padding, long[] outputPadding, bool bias) : base("ConvTranspose")
    {
        var dimensions = outputPadding.Length;
        using var initialised = dimensions == 3
            ? (nn.Module)nn.ConvTranspose3d(input, output, kernel, stride: stride, padding: padding, bias: bias)
            : nn.ConvTranspose2d(input, output, kernel, stride: stride, padding: padding, bias: bias);
        var parameters = initialised.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        // Copies outside any dispose scope: a Parameter shares its tensor's handle, which the builder's scope would free.
        weight = new Parameter(parameters["weight"].detach().clone().DetachFromDisposeScope());
        this.bias = bias ? new Parameter(parameters["bias"].detach().clone().DetachFromDisposeScope()) : null;
        _stride = Enumerable.Repeat(stride, dimensions).ToArray();
        _padding = Enumerable.Repeat(padding, dimensions).ToArray();
        _outputPadding = outputPadding;
        _kernel = kernel;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var dimensions = _outputPadding.Length;
        if (_stride.All(s => s == 1) && _outputPadding.All(p => p == 0))
        {
            using var kernel = weight.transpose(0, 1).flip(Enumerable.Range(2, dimensions).Select(d => (long)d).ToArray());
            var padding = _padding.Select(p => _kernel - 1 - p).ToArray();
            return dimensions == 3
                ? nn.functional.conv3d(input, kernel, bias, _stride, padding)
                : nn.functional.conv2d(input, kernel, bias, _stride, padding);
        }
        return dimensions == 3
            ? nn.functional.conv_transpose3d(input, weight, bias, _stride, _padding, _outputPadding, [1, 1, 1], 1)
            : nn.functional.conv_transpose2d(input, weight, bias, _stride, _padding, _outputPadding, [1, 1], 1);
    }
}
