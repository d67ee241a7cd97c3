using System.Runtime.Intrinsics.X86;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// A convolution run so that oneDNN never reads the padding of a partly filled channel block. libtorch's CPU
/// convolution (oneDNN 3.7.1, jit:avx2) reorders tensors into blocks of 8 channels, and when a tensor's channels
/// do not fill the last block, the padding of the block it computes a data gradient from is not zeroed, so the
/// result reads uninitialised memory: with 2 threads the same pass gave other bits each time, now and then NaN.
/// Seen for a convolution's input gradient when its output channels leave a block part empty (Conv3d 4 -> 4 on
/// 2x4x29x35x30: 3 different input-gradient sums in 12 identical passes, one NaN, values off by up to 140%;
/// 4 -> 8 exact), and for a transposed convolution's forward pass (which oneDNN computes as a data gradient) when
/// its input channels do (ConvTranspose3d 4 -> 4: 3 different outputs in 12 passes, one NaN; 8 -> 4 or 8 -> 1
/// exact). Such a convolution runs here with its filters padded by zero filters to a full block (and, transposed,
/// its input by zero channels), then the extra outputs cut off: the same parameters (the gradients land in the
/// module), the same values up to float rounding, and the blocks hold real zeros. A convolution's forward pass
/// and its weight and bias gradients were exact, so it is padded only when its input gradient is computed.
/// </summary>
internal static class BlockAlignedConvolution
{
    /// <summary>
    /// oneDNN's channel block in this process: 16 floats when it may use AVX-512 (the processor has it and the ISA
    /// ceiling allows it), 8 under the module's default AVX2 ceiling (TorchRuntime.OneDnnIsaCeiling), whatever the processor.
    /// </summary>
    public static long ChannelBlock => Avx512F.IsSupported && !BelowAvx512.Contains(Runtime.TorchRuntime.OneDnnIsaCeiling, StringComparer.OrdinalIgnoreCase) ? 16 : 8;

    /// <summary>The ONEDNN_MAX_CPU_ISA values that keep oneDNN off AVX-512.</summary>
    private static readonly string[] BelowAvx512 = ["SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX2_VNNI_2"];

    /// <summary>Whether <paramref name="convolution"/> needs its channels padded to a full block to compute exactly.</summary>
    public static bool NeedsPadding(Convolution convolution) =>
        convolution.groups == 1 && convolution.padding_mode == TorchSharp.PaddingModes.Zeros && convolution.padding_type is null
        && (convolution.transposed ? convolution.in_channels : convolution.out_channels) % ChannelBlock != 0;

    /// <summary>The convolution's output for <paramref name="input"/>, computed without reading uninitialised memory.</summary>
    public static Tensor Forward(Convolution convolution, Tensor input)
    {
        if (!NeedsPadding(convolution) || (!convolution.transposed && !(input.requires_grad && is_grad_enabled())))
        {
            return convolution.forward(input);
        }
        using var scope = NewDisposeScope();
        var weight = convolution.weight!;
        var threeD = convolution.kernel_size.Length == 3;
        if (convolution.transposed)
        {
            // Weight [in, out, k...]: zero input channels meet zero filter rows.
            var missingInputs = ChannelBlock - convolution.in_channels % ChannelBlock;
            var paddedInput = cat([input, zeros([input.shape[0], missingInputs, .. input.shape[2..]], input.dtype, input.device)], 1);
            var paddedFilters = cat([weight, zeros([missingInputs, .. weight.shape[1..]], weight.dtype, weight.device)], 0);
            var transposed = threeD
                ? nn.functional.conv_transpose3d(paddedInput, paddedFilters, convolution.bias, convolution.stride, convolution.padding, convolution.output_padding, convolution.dilation)
                : nn.functional.conv_transpose2d(paddedInput, paddedFilters, convolution.bias, convolution.stride, convolution.padding, convolution.output_padding, convolution.dilation);
            return transposed.MoveToOuterDisposeScope();
        }
        var outputs = convolution.out_channels;
        var missing = ChannelBlock - outputs % ChannelBlock;
        var paddedWeight = cat([weight, zeros([missing, .. weight.shape[1..]], weight.dtype, weight.device)], 0);
        var paddedBias = convolution.bias is { } bias ? cat([bias, zeros([missing], bias.dtype, bias.device)], 0) : null;
        var output = threeD
            ? nn.functional.conv3d(input, paddedWeight, paddedBias, convolution.stride, convolution.padding, convolution.dilation)
            : nn.functional.conv2d(input, paddedWeight, paddedBias, convolution.stride, convolution.padding, convolution.dilation);
        return output.narrow(1, 0, outputs).contiguous().MoveToOuterDisposeScope();
    }
}
