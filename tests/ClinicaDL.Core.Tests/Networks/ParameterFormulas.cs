namespace ClinicaDL.Core.Tests.Networks;

/// <summary>
/// PyTorch's parameter counts of the layers ClinicaDL's networks are made of, and the sizes its layers give,
/// written out by hand so that a network's count can be checked against its published layer list
/// (clinicadl/utils/network/cnn/models.py, resnet.py, resnet3D.py, autoencoder/models.py; torchvision's resnet).
/// Running statistics are buffers, not parameters: a BatchNorm has a weight and a bias per channel.
/// </summary>
internal static class ParameterFormulas
{
    public static readonly long[] ConvolutionChannels = [8, 16, 32, 64, 128];

    /// <summary>Conv or ConvTranspose: in x out x kernel^dimensions weights, plus one bias per output channel.</summary>
    public static long Convolution(long input, long output, int dimensions, int kernel = 3, bool bias = true) =>
        input * output * (long)Math.Pow(kernel, dimensions) + (bias ? output : 0);

    public static long BatchNorm(long channels) => 2 * channels;

    public static long Linear(long input, long output) => input * output + output;

    /// <summary>PyTorch's convolution and pooling output size: floor((n + 2 padding - kernel) / stride) + 1.</summary>
    public static long Output(long size, long kernel, long stride, long padding) => (size + 2 * padding - kernel) / stride + 1;

    /// <summary>ClinicaDL's PadMaxPool: an odd size is padded by one, then halved.</summary>
    public static long PadMaxPooled(long size) => (size + size % 2) / 2;

    /// <summary>Conv5_FC3's five conv-BatchNorm blocks (the same in Conv4_FC3, Stride_Conv5_FC3 and the autoencoders' encoder).</summary>
    public static long ConvolutionBlocks(long inputChannels, int dimensions)
    {
        long total = 0, channels = inputChannels;
        foreach (var output in ConvolutionChannels)
        {
            total += Convolution(channels, output, dimensions) + BatchNorm(output);
            channels = output;
        }
        return total;
    }

    /// <summary>The flattened features after five PadMaxPools: 128 x the product of the five-times-halved sizes.</summary>
    public static long PooledFeatures(long[] sampleShape) =>
        128 * sampleShape[1..].Aggregate(1L, (product, size) => product * Enumerable.Range(0, 5).Aggregate(size, (s, _) => PadMaxPooled(s)));

    /// <summary>The same for five stride-2 convolutions (kernel 3, padding 1).</summary>
    public static long StridedFeatures(long[] sampleShape) =>
        128 * sampleShape[1..].Aggregate(1L, (product, size) => product * Enumerable.Range(0, 5).Aggregate(size, (s, _) => Output(s, 3, 2, 1)));

    public static long Conv5FC3(long[] sampleShape, long outputs) =>
        ConvolutionBlocks(sampleShape[0], sampleShape.Length - 1) + Linear(PooledFeatures(sampleShape), 1300) + Linear(1300, 50) + Linear(50, outputs);

    public static long Conv4FC3(long[] sampleShape, long outputs) =>
        ConvolutionBlocks(sampleShape[0], sampleShape.Length - 1) + Linear(PooledFeatures(sampleShape), 50) + Linear(50, 40) + Linear(40, outputs);

    public static long StrideConv5FC3(long[] sampleShape, long outputs) =>
        ConvolutionBlocks(sampleShape[0], sampleShape.Length - 1) + Linear(StridedFeatures(sampleShape), 1300) + Linear(1300, 50) + Linear(50, outputs);

    /// <summary>
    /// torchvision's resnet18 trunk (7x7 stem without bias, BasicBlocks of two bias-free 3x3 convolutions with
    /// BatchNorm, a 1x1 strided shortcut with BatchNorm where the shape changes), then ClinicaDL's 512-1000 and
    /// 1000-output layers.
    /// </summary>
    public static long ResNet18(long inputChannels, long outputs)
    {
        var total = Convolution(inputChannels, 64, 2, kernel: 7, bias: false) + BatchNorm(64);
        long channels = 64;
        foreach (var (output, stride) in new (long, int)[] { (64, 1), (128, 2), (256, 2), (512, 2) })
        {
            var shortcut = stride != 1 || channels != output ? Convolution(channels, output, 2, kernel: 1, bias: false) + BatchNorm(output) : 0;
            total += Convolution(channels, output, 2, bias: false) + BatchNorm(output) + Convolution(output, output, 2, bias: false) + BatchNorm(output) + shortcut;
            total += 2 * (Convolution(output, output, 2, bias: false) + BatchNorm(output));
            channels = output;
        }
        return total + Linear(512, 1000) + Linear(1000, outputs);
    }

    /// <summary>ClinicaDL's ResNet3D: five residual blocks (two bias-free 3x3x3 convolutions with BatchNorm, a bias-free 1x1x1 shortcut) then FC 10240-256-output.</summary>
    public static long ResNet3D(long outputs)
    {
        long total = 0, channels = 1;
        foreach (var output in ConvolutionChannels)
        {
            total += Convolution(channels, output, 3, bias: false) + BatchNorm(output) + Convolution(output, output, 3, bias: false) + BatchNorm(output)
                + Convolution(channels, output, 3, kernel: 1, bias: false);
            channels = output;
        }
        return total + Linear(10240, 256) + Linear(256, outputs);
    }

    /// <summary>AE_Conv5_FC3: Conv5_FC3's convolution blocks, then transposed convolutions (with bias) and BatchNorms back from 128 channels to the input's.</summary>
    public static long ConvolutionalAutoEncoder(long inputChannels, int dimensions)
    {
        var total = ConvolutionBlocks(inputChannels, dimensions);
        long channels = 128;
        foreach (var output in new long[] { 64, 32, 16, 8, inputChannels })
        {
            total += Convolution(channels, output, dimensions) + BatchNorm(output);
            channels = output;
        }
        return total;
    }

    /// <summary>CAE_half: three bias-free stride-2 convolutions with BatchNorm, Linear(153600, latent), Linear(latent, 307200), three bias-free transposed convolutions with BatchNorm.</summary>
    public static long HalfConvolutionalAutoEncoder(long latent)
    {
        long total = 0, channels = 1;
        foreach (var output in new long[] { 32, 64, 128 })
        {
            total += Convolution(channels, output, 3, bias: false) + BatchNorm(output);
            channels = output;
        }
        total += Linear(153600, latent) + Linear(latent, 307200);
        channels = 256;
        foreach (var output in new long[] { 128, 64, 1 })
        {
            total += Convolution(channels, output, 3, bias: false) + BatchNorm(output);
            channels = output;
        }
        return total;
    }

    /// <summary>
    /// SqueezeExcitationCNN: ResNet3D's five blocks with bias-free 3x3x3 convolutions, BatchNorms and 1x1x1
    /// shortcuts, each with a squeeze-and-excitation pair Linear(c, c / 8), Linear(c / 8, c), then FC 10240-256-output.
    /// </summary>
    public static long SqueezeExcitationCNN(long outputs)
    {
        long total = 0, channels = 1;
        foreach (var output in ConvolutionChannels)
        {
            total += Convolution(channels, output, 3, bias: false) + BatchNorm(output) + Convolution(output, output, 3, bias: false) + BatchNorm(output)
                + Linear(output, output / 8) + Linear(output / 8, output) + Convolution(channels, output, 3, kernel: 1, bias: false);
            channels = output;
        }
        return total + Linear(10240, 256) + Linear(256, outputs);
    }

    /// <summary>
    /// The Vanilla VAEs' encoder: <paramref name="convolutions"/> bias-free conv(4) with BatchNorm, from
    /// <paramref name="first"/> channels doubling; and their decoder's mirror layers, bias-free transposed conv(4)
    /// with BatchNorm back to <paramref name="first"/>, then a bias-free transposed conv(4) to the input's channels.
    /// </summary>
    public static long VanillaEncoderDecoder(long inputChannels, int dimensions, int convolutions, long first)
    {
        long total = 0, channels = inputChannels;
        for (var i = 0; i < convolutions; i++)
        {
            total += Convolution(channels, first << i, dimensions, kernel: 4, bias: false) + BatchNorm(first << i);
            channels = first << i;
        }
        for (var i = convolutions - 1; i > 0; i--)
        {
            total += Convolution(first << i, first << (i - 1), dimensions, kernel: 4, bias: false) + BatchNorm(first << (i - 1));
        }
        return total + Convolution(first, inputChannels, dimensions, kernel: 4, bias: false);
    }

    /// <summary>A size after <paramref name="halvings"/> stride-2 conv(4) with padding 1: halved, rounding down, each time.</summary>
    public static long Halved(long size, int halvings) => Enumerable.Range(0, halvings).Aggregate(size, (s, _) => Output(s, 4, 2, 1));

    /// <summary>
    /// The dense Vanilla VAEs (VanillaDenseVAE: 2D, 4 layers from 32; Vanilla3DdenseVAE: n_conv layers from
    /// io_layer_channels): the convolutions, Linear(flat, feature) (none when feature is 0), mu and var
    /// Linear(feature, latent), the decoder's Linear(latent, feature) and Linear(feature, flat).
    /// </summary>
    public static long DenseVae(long[] sampleShape, int convolutions, long first, long latent, long feature)
    {
        var dimensions = sampleShape.Length - 1;
        var flat = (first << (convolutions - 1)) * sampleShape[1..].Aggregate(1L, (p, s) => p * Halved(s, convolutions));
        var dense = feature == 0
            ? 2 * Linear(flat, latent) + Linear(latent, flat)
            : Linear(flat, feature) + 2 * Linear(feature, latent) + Linear(latent, feature) + Linear(feature, flat);
        return VanillaEncoderDecoder(sampleShape[0], dimensions, convolutions, first) + dense;
    }

    /// <summary>VanillaSpatialVAE: the 2D convolutions (4 from 32), conv(3) 256 to 64, mu and var conv(3) 64 to 1, transposed conv(3) 1 to 64 and 64 to 256, all bias-free.</summary>
    public static long SpatialVae2D(long inputChannels) =>
        VanillaEncoderDecoder(inputChannels, 2, 4, 32) + Convolution(256, 64, 2, bias: false) + 2 * Convolution(64, 1, 2, bias: false)
        + Convolution(1, 64, 2, bias: false) + Convolution(64, 256, 2, bias: false);

    /// <summary>Vanilla3DspacialVAE: the 3D convolutions (4 from 32), conv(4) 256 to 512, mu and var conv(3) 512 to 1, transposed conv(3) 1 to 512 and conv(4) 512 to 256, all bias-free.</summary>
    public static long SpatialVae3D(long inputChannels) =>
        VanillaEncoderDecoder(inputChannels, 3, 4, 32) + Convolution(256, 512, 3, kernel: 4, bias: false) + 2 * Convolution(512, 1, 3, bias: false)
        + Convolution(1, 512, 3, bias: false) + Convolution(512, 256, 3, kernel: 4, bias: false);

    /// <summary>
    /// The CVAE_3D networks: conv(3) 1-32-64-128 and transposed conv(3) 256-128-64-1 with bias, fc10 and fc11
    /// Linear(128 x the thrice-halved (rounding up) sizes, latent), fc2 Linear(latent, twice that); CVAE_3D and
    /// CVAE_3D_half add seven BatchNorms (32, 64, 128, 128, 128, 64, 32), CVAE_3D_final_conv a final conv(3) 1 to 1
    /// (its InstanceNorms have no weights).
    /// </summary>
    public static long ConvolutionalVae(long[] sampleShape, long latent, bool finalConvolution)
    {
        var features = 128 * sampleShape[1..].Aggregate(1L, (p, s) => p * Enumerable.Range(0, 3).Aggregate(s, (n, _) => Output(n, 3, 2, 1)));
        var convolutions = Convolution(1, 32, 3) + Convolution(32, 64, 3) + Convolution(64, 128, 3) + Convolution(256, 128, 3) + Convolution(128, 64, 3) + Convolution(64, 1, 3);
        var norms = finalConvolution ? Convolution(1, 1, 3) : new long[] { 32, 64, 128, 128, 128, 64, 32 }.Sum(BatchNorm);
        return convolutions + norms + 2 * Linear(features, latent) + Linear(latent, 2 * features);
    }

    /// <summary>GeneratorUNet: conv(3) 1-64-128-256-512-512 and transposed conv(4) 512-512, 1024-256, 512-128, 256-64, all with bias, then conv(3) 128 to 1.</summary>
    public static long GeneratorUNet() =>
        Convolution(1, 64, 3) + Convolution(64, 128, 3) + Convolution(128, 256, 3) + Convolution(256, 512, 3) + Convolution(512, 512, 3)
        + Convolution(512, 512, 3, kernel: 4) + Convolution(1024, 256, 3, kernel: 4) + Convolution(512, 128, 3, kernel: 4) + Convolution(256, 64, 3, kernel: 4)
        + Convolution(128, 1, 3);
}
