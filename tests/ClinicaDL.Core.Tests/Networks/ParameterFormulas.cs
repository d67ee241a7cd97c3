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
}
