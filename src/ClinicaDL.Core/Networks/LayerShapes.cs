using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// A layer's output shape for one sample (channels first, no batch) by PyTorch's own formulas, without running
/// it. Why: every network build asks its layers for shapes, and at full size (1 x 169 x 208 x 179) running them
/// allocates and fills hundreds of megabytes per layer, and libtorch's one-channel convolution alone takes
/// seconds. Null for a layer it does not know or an input the layer cannot take: the caller then runs the layer,
/// and libtorch's error says what is wrong.
/// </summary>
internal static class LayerShapes
{
    public static long[]? Of(nn.Module<Tensor, Tensor> layer, long[] input) => layer switch
    {
        Convolution { transposed: false } convolution => Convolved(convolution, input),
        BatchNorm or InstanceNorm => Normalised((NormBase)layer, input),
        GroupNorm { weight: { } weight } when input.Length >= 2 && weight.shape[0] == input[0] => input,
        ReLU or LeakyReLU or ELU or GELU or Sigmoid or Tanh or Identity or Dropout or Dropout1d or Dropout2d or Dropout3d
            or KeptLeakyReLU or KeptELU => input,
        MaxPool2d pool => Pooled(input, pool.kernel_size, pool.stride, pool.padding, pool.dilation, pool.ceil_mode),
        MaxPool3d pool => Pooled(input, pool.kernel_size, pool.stride, pool.padding, pool.dilation, pool.ceil_mode),
        AvgPool2d pool => Pooled(input, pool.kernel_size, pool.stride, pool.padding, null, pool.ceil_mode),
        AvgPool3d pool => Pooled(input, pool.kernel_size, pool.stride, pool.padding, null, pool.ceil_mode),
        PadMaxPool pool when input.Length == pool.Dimensions + 1 => [input[0], .. input[1..].Select(size => (size + 1) / 2)],
        _ => null,
    };

    /// <summary>floor((in + 2 padding - dilation (kernel - 1) - 1) / stride) + 1 per axis; 'same' keeps the size, 'valid' pads nothing.</summary>
    private static long[]? Convolved(Convolution convolution, long[] input)
    {
        var axes = convolution.kernel_size.Length;
        if (input.Length != axes + 1 || input[0] != convolution.in_channels)
        {
            return null;
        }
        var shape = new long[input.Length];
        shape[0] = convolution.out_channels;
        for (var axis = 0; axis < axes; axis++)
        {
            var size = input[axis + 1];
            if (convolution.padding_type == Padding.Same)
            {
                shape[axis + 1] = size;
                continue;
            }
            var padding = convolution.padding_type == Padding.Valid || convolution.padding is null ? 0 : convolution.padding[axis];
            var span = convolution.dilation[axis] * (convolution.kernel_size[axis] - 1) + 1;
            if (size + 2 * padding < span)
            {
                return null;
            }
            shape[axis + 1] = (size + 2 * padding - span) / convolution.stride[axis] + 1;
        }
        return shape;
    }

    /// <summary>BatchNorm1d/2d/3d and InstanceNorm1d/2d/3d keep the shape of an input of their rank and channel count.</summary>
    private static long[]? Normalised(NormBase norm, long[] input)
    {
        var dimensions = norm.GetType().Name[^2] - '0';
        var rankFits = dimensions == 1 ? input.Length is 1 or 2 : input.Length == dimensions + 1;
        return rankFits && input[0] == norm.num_features ? input : null;
    }

    /// <summary>
    /// PyTorch's pooling_output_shape: (in + 2 padding - dilation (kernel - 1) - 1 [+ stride - 1 with ceil_mode]) / stride
    /// + 1, and with ceil_mode one fewer when the last window would start in the right padding.
    /// </summary>
    private static long[]? Pooled(long[] input, long[] kernel, long[]? stride, long[]? padding, long[]? dilation, bool ceilMode)
    {
        var axes = kernel.Length;
        if (input.Length != axes + 1)
        {
            return null;
        }
        var shape = new long[input.Length];
        shape[0] = input[0];
        for (var axis = 0; axis < axes; axis++)
        {
            var size = input[axis + 1];
            var k = kernel[axis];
            var s = stride is { Length: > 0 } ? stride[axis] : k;
            var p = padding is { Length: > 0 } ? padding[axis] : 0;
            var d = dilation is { Length: > 0 } ? dilation[axis] : 1;
            if (p > k / 2)
            {
                return null;
            }
            var reach = size + 2 * p - d * (k - 1) - 1 + (ceilMode ? s - 1 : 0);
            if (reach < 0)
            {
                return null;
            }
            var output = reach / s + 1;
            if (ceilMode && (output - 1) * s >= size + p)
            {
                output--;
            }
            if (output < 1)
            {
                return null;
            }
            shape[axis + 1] = output;
        }
        return shape;
    }
}
