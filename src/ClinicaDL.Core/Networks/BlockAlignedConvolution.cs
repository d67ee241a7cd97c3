using System.Runtime.Intrinsics.X86;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// A convolution whose output channels are not a multiple of oneDNN's channel block, computed with its filters
/// padded by zero filters to the block and the extra outputs cut off: the same parameters (the gradients land in
/// the module), the same outputs up to float rounding. Why: libtorch's CPU convolution (oneDNN 3.7.1, jit:avx2)
/// computes the input gradient from the output gradient reordered into 8-channel blocks, and when the output
/// channels do not fill the last block, that gradient's padding is not zeroed: the input gradient reads
/// uninitialised memory, so with 2 threads the same step gave other bits from run to run (a Conv3d 4 -> 4 on
/// 2x4x29x35x30: 3 different input-gradient sums in 12 identical passes, one of them NaN; 4 -> 8 gave one). With
/// the block filled by explicit zero filters the output gradient reaching oneDNN holds real zeros there. Only
/// when an input gradient is computed (the input requires grad under grad mode): the weight and bias gradients
/// and the forward pass were seen exact, so evaluation and a first layer run the convolution as it is.
/// </summary>
internal static class BlockAlignedConvolution
{
    /// <summary>oneDNN's channel block on this processor: 16 floats with AVX-512, 8 with AVX2.</summary>
    public static readonly long ChannelBlock = Avx512F.IsSupported ? 16 : 8;

    /// <summary>Whether <paramref name="convolution"/> needs its output channels padded for a deterministic input gradient.</summary>
    public static bool NeedsPadding(Convolution convolution) =>
        !convolution.transposed && convolution.groups == 1 && convolution.padding_mode == TorchSharp.PaddingModes.Zeros
        && convolution.padding_type is null && convolution.out_channels % ChannelBlock != 0;

    /// <summary>The convolution's output for <paramref name="input"/>, with a deterministic input gradient.</summary>
    public static Tensor Forward(Convolution convolution, Tensor input)
    {
        if (!NeedsPadding(convolution) || !input.requires_grad || !is_grad_enabled())
        {
            return convolution.forward(input);
        }
        using var scope = NewDisposeScope();
        var weight = convolution.weight!;
        var outputs = convolution.out_channels;
        var missing = ChannelBlock - outputs % ChannelBlock;
        var weightPadding = zeros([missing, .. weight.shape[1..]], weight.dtype, weight.device);
        var paddedWeight = cat([weight, weightPadding], 0);
        var paddedBias = convolution.bias is { } bias ? cat([bias, zeros([missing], bias.dtype, bias.device)], 0) : null;
        var output = convolution.kernel_size.Length == 3
            ? nn.functional.conv3d(input, paddedWeight, paddedBias, convolution.stride, convolution.padding, convolution.dilation)
            : nn.functional.conv2d(input, paddedWeight, paddedBias, convolution.stride, convolution.padding, convolution.dilation);
        return output.narrow(1, 0, outputs).contiguous().MoveToOuterDisposeScope();
    }
}
