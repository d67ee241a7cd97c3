using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// ClinicaDL's AE_Conv5_FC3 and AE_Conv4_FC3 (identical, as in ClinicaDL): the encoder is Conv5_FC3's five
/// conv(3)-BatchNorm-ReLU-PadMaxPool blocks, the pooling keeping its indices; the decoder inverts them in reverse
/// order, each block max-unpooling to the size before its pooling (the start padding of PadMaxPool cropped
/// again, ClinicaDL's CropMaxUnpool) then transposed conv(3)-BatchNorm-ReLU, 128 channels back to the input's.
/// The output has the input's shape. Layer names are ClinicaDL's (encoder.0 ... encoder.19, decoder.0 ...
/// decoder.19; the pooling and unpooling layers hold no weights). The 3D decoder order is ClinicaDL's; its 2D one
/// (never re-ordered there) is built the same way here.
/// </summary>
public sealed class ConvolutionalAutoEncoder : Module<Tensor, Tensor>
{
    private static readonly long[] Channels = [8, 16, 32, 64, 128];

    private readonly int _dimensions;
    private readonly Sequential encoder;
    private readonly Sequential decoder;
    private readonly Module<Tensor, Tensor>[] _encoderLayers;
    private readonly Module<Tensor, Tensor>[] _decoderLayers;

    internal ConvolutionalAutoEncoder(string name, long[] inputShape) : base(name)
    {
        _dimensions = inputShape.Length - 1;
        var encoding = new List<Module<Tensor, Tensor>>();
        long channels = inputShape[0];
        foreach (var output in Channels)
        {
            encoding.AddRange([NetworkLayers.Convolution(_dimensions, channels, output), NetworkLayers.BatchNorm(_dimensions, output), ReLU(), new PoolingPlaceholder("PadMaxPool")]);
            channels = output;
        }
        var decoding = new List<Module<Tensor, Tensor>>();
        var outputs = Channels.Reverse().Skip(1).Append(inputShape[0]).ToArray();
        foreach (var output in outputs)
        {
            var transposed = _dimensions == 3 ? (Module<Tensor, Tensor>)ConvTranspose3d(channels, output, 3, padding: 1) : ConvTranspose2d(channels, output, 3, padding: 1);
            decoding.AddRange([new PoolingPlaceholder("CropMaxUnpool"), transposed, NetworkLayers.BatchNorm(_dimensions, output), ReLU()]);
            channels = output;
        }
        _encoderLayers = [.. encoding];
        _decoderLayers = [.. decoding];
        encoder = NetworkLayers.Indexed(_encoderLayers);
        decoder = NetworkLayers.Indexed(_decoderLayers);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var pooled = new Stack<(Tensor Indices, long[] PaddedShape, long[] Padding)>();
        var current = input;
        for (var block = 0; block < Channels.Length; block++)
        {
            for (var layer = 4 * block; layer < 4 * block + 3; layer++)
            {
                current = NetworkLayers.Forward(_encoderLayers[layer], current);
            }
            // PadMaxPool with indices: odd sizes padded by one voxel at their start, then 2x2(x2) max pooling.
            var padding = current.shape[^_dimensions..].Select(size => size % 2).ToArray();
            var pad = new long[2 * _dimensions];
            for (var axis = 0; axis < _dimensions; axis++)
            {
                pad[2 * axis] = padding[_dimensions - 1 - axis];
            }
            var padded = padding.Any(p => p != 0) ? nn.functional.pad(current, pad) : current;
            var (output, indices) = _dimensions == 3
                ? nn.functional.max_pool3d_with_indices(padded, [2, 2, 2], [2, 2, 2])
                : nn.functional.max_pool2d_with_indices(padded, [2, 2], [2, 2]);
            pooled.Push((indices, padded.shape[^_dimensions..], padding));
            current = output;
        }
        for (var block = 0; block < Channels.Length; block++)
        {
            var (indices, paddedShape, padding) = pooled.Pop();
            // ClinicaDL's MaxUnpool(2, 2): twice the pooled size, which is the padded size (padded sizes are even).
            // TorchSharp's third argument is the kernel size (the padded shape passed there placed every value
            // in a larger map, away from where the pooling found it); its output_size reaches libtorch empty.
            var unpooled = _dimensions == 3
                ? nn.functional.max_unpool3d(current, indices, [2, 2, 2], [2, 2, 2], [0, 0, 0])
                : nn.functional.max_unpool2d(current, indices, [2, 2], [2, 2], [0, 0]);
            for (var axis = 0; axis < _dimensions; axis++)
            {
                unpooled = unpooled.narrow(2 + axis, padding[axis], paddedShape[axis] - padding[axis]);
            }
            current = unpooled;
            for (var layer = 4 * block + 1; layer < 4 * block + 4; layer++)
            {
                current = NetworkLayers.Forward(_decoderLayers[layer], current);
            }
        }
        return current.MoveToOuterDisposeScope();
    }

    /// <summary>Stands in the layer list for a pooling or unpooling step that the forward pass runs itself (it has no weights).</summary>
    /// <remarks>Internal: Export/OnnxTranslation recognises these steps and writes them as the forward pass runs them.</remarks>
    internal sealed class PoolingPlaceholder(string name) : Module<Tensor, Tensor>(name)
    {
        public override Tensor forward(Tensor input) => throw new InvalidOperationException($"{GetName()} runs inside the autoencoder's forward pass.");
    }
}
