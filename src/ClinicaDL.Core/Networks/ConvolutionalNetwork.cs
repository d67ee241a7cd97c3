using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// ClinicaDL's CNN shape: a <c>convolutions</c> stack then an <c>fc</c> stack, with the same child names as
/// PyTorch so weights map one to one (convolutions.0.weight, fc.2.weight...).
/// </summary>
public sealed class ConvolutionalNetwork : Module<Tensor, Tensor>, IFeatureNetwork
{
    private readonly Sequential convolutions;
    private readonly Sequential fc;
    private readonly Module<Tensor, Tensor>[] convolutionLayers;
    private readonly bool firstConvolutionDepthStacked;

    internal ConvolutionalNetwork(string name, Module<Tensor, Tensor>[] convolutionLayers, Sequential fc, bool firstConvolutionDepthStacked) : base(name)
    {
        convolutions = NetworkLayers.Indexed(convolutionLayers);
        this.convolutionLayers = convolutionLayers;
        this.firstConvolutionDepthStacked = firstConvolutionDepthStacked;
        this.fc = fc;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var features = Features(input);
        return fc.forward(features);
    }

    public int FeatureLayerCount => convolutionLayers.Length;

    public Tensor Features(Tensor input, int level) => RunLayers(input, 0, level);

    public Tensor Head(Tensor features, int level)
    {
        using var last = RunLayers(features, level, convolutionLayers.Length);
        return fc.forward(last);
    }

    /// <summary>
    /// The convolution stack's output. In the pooled 3D networks the first convolution runs as
    /// <see cref="DepthStackedConvolution"/> (it is where the voxels are; stacking later ones as well measured
    /// 0.1-0.3 s faster per step for 250 MB more memory). A ReLU followed by PadMaxPool runs as
    /// <see cref="PadMaxPool.ForwardWithRelu"/>: same values and gradients, without the full-size ReLU output and
    /// padded copy (together about 0.9 GB per batch of 2 at 169x208x179, and 0.3 s per step).
    /// </summary>
    public Tensor Features(Tensor input) => RunLayers(input, 0, convolutionLayers.Length);

    /// <summary>Convolution layers [start, end) on the input, with the faster forms described at <see cref="Features(Tensor)"/>.</summary>
    private Tensor RunLayers(Tensor input, int start, int end)
    {
        var current = input.alias();
        for (var index = start; index < end; index++)
        {
            var layer = convolutionLayers[index];
            Tensor next;
            if (index == 0 && firstConvolutionDepthStacked)
            {
                next = DepthStackedConvolution.Forward((Conv3d)layer, current);
            }
            else if (layer is ReLU && index + 1 < end && convolutionLayers[index + 1] is PadMaxPool pool)
            {
                next = pool.ForwardWithRelu(current);
                index++;
            }
            else
            {
                next = NetworkLayers.Forward(layer, current);
            }
            current.Dispose();
            current = next;
        }
        return current;
    }

    /// <summary>The convolution stack as ClinicaDL's layer list, run layer by layer (the reference for <see cref="Features(Tensor)"/>).</summary>
    public Sequential Convolutions => convolutions;

    /// <summary>Conv5_FC3: five conv-BN-ReLU-PadMaxPool blocks (8 to 128 channels), then FC 1300-50-output.</summary>
    internal static ConvolutionalNetwork Conv5FC3(long[] inputShape, int outputSize, double dropout) =>
        Pooled("Conv5_FC3", inputShape, outputSize, dropout, [1300, 50]);

    /// <summary>Conv4_FC3: as ClinicaDL, the same five blocks as Conv5_FC3, then FC 50-40-output.</summary>
    internal static ConvolutionalNetwork Conv4FC3(long[] inputShape, int outputSize, double dropout) =>
        Pooled("Conv4_FC3", inputShape, outputSize, dropout, [50, 40]);

    /// <summary>Stride_Conv5_FC3: five stride-2 conv-BN-ReLU blocks, no pooling, then FC 1300-50-output.</summary>
    internal static ConvolutionalNetwork StrideConv5FC3(long[] inputShape, int outputSize, double dropout)
    {
        var dimensions = inputShape.Length - 1;
        var layers = new List<Module<Tensor, Tensor>>();
        long channels = inputShape[0];
        foreach (var output in new long[] { 8, 16, 32, 64, 128 })
        {
            layers.Add(NetworkLayers.Convolution(dimensions, channels, output, stride: 2));
            layers.Add(NetworkLayers.BatchNorm(dimensions, output));
            layers.Add(ReLU());
            channels = output;
        }
        return new ConvolutionalNetwork("Stride_Conv5_FC3", [.. layers], Head(NetworkLayers.FlatFeatures([.. layers], inputShape), outputSize, dropout, [1300, 50]), firstConvolutionDepthStacked: false);
    }

    private static ConvolutionalNetwork Pooled(string name, long[] inputShape, int outputSize, double dropout, long[] hidden)
    {
        var dimensions = inputShape.Length - 1;
        var layers = new List<Module<Tensor, Tensor>>();
        long channels = inputShape[0];
        foreach (var output in new long[] { 8, 16, 32, 64, 128 })
        {
            layers.Add(NetworkLayers.Convolution(dimensions, channels, output));
            layers.Add(NetworkLayers.BatchNorm(dimensions, output));
            layers.Add(ReLU());
            layers.Add(new PadMaxPool(dimensions));
            channels = output;
        }
        return new ConvolutionalNetwork(name, [.. layers], Head(NetworkLayers.FlatFeatures([.. layers], inputShape), outputSize, dropout, hidden), firstConvolutionDepthStacked: dimensions == 3);
    }

    private static Sequential Head(long features, int outputSize, double dropout, long[] hidden) => NetworkLayers.Indexed(
        Flatten(), Dropout(dropout), Linear(features, hidden[0]), ReLU(), Linear(hidden[0], hidden[1]), ReLU(), Linear(hidden[1], outputSize));
}
