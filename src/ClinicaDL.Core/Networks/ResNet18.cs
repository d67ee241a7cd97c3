using ClinicaDL.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// ClinicaDL's resnet18 for 2D slices: torchvision's ResNet-18 (7x7 stride-2 convolution, max pooling, four
/// stages of two BasicBlocks with 64, 128, 256, 512 channels, average pooling over the whole final map) then
/// FC 512-1000, dropout, 1000-output. Layer names are ClinicaDL's (convolutions.0 ... convolutions.8, fc.1,
/// fc.fc_out). ClinicaDL starts from ImageNet weights downloaded at run time; this one starts from PyTorch's
/// default initialisation (nothing is downloaded), so it needs more data or epochs than the pretrained one.
/// </summary>
public sealed class ResNet18 : Module<Tensor, Tensor>, IFeatureNetwork
{
    private readonly Sequential convolutions;
    private readonly Sequential fc;
    private readonly Module<Tensor, Tensor>[] layers;

    internal ResNet18(long[] inputShape, int outputSize, double dropout) : base("resnet18")
    {
        var stages = new List<Module<Tensor, Tensor>>();
        long channels = 64;
        foreach (var (output, stride) in new (long, long)[] { (64, 1), (128, 2), (256, 2), (512, 2) })
        {
            stages.Add(NetworkLayers.Indexed(new BasicBlock(channels, output, stride), new BasicBlock(output, output, 1)));
            channels = output;
        }
        Module<Tensor, Tensor>[] stem = [Conv2d(inputShape[0], 64, 7, stride: 2, padding: 3, bias: false), BatchNorm2d(64), ReLU(), MaxPool2d(3, 2, 1)];
        var withoutPooling = stem.Concat(stages).ToArray();
        // ClinicaDL sets the average pooling's kernel to the final map's size (stride 1; with a kernel that large, the
        // stride does not matter), so the flattened features are 512.
        var finalMap = NetworkLayers.OutputShape(withoutPooling, inputShape);
        layers = [.. withoutPooling, AvgPool2d([finalMap[1], finalMap[2]])];
        convolutions = NetworkLayers.Indexed(layers);
        fc = Sequential(("0", Flatten()), ("1", Linear(512, 1000)), ("drop_out", Dropout(dropout)), ("fc_out", Linear(1000, outputSize)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var features = NetworkLayers.Forward(convolutions, input);
        return fc.forward(features);
    }

    public int FeatureLayerCount => layers.Length;

    public Tensor Features(Tensor input, int level) => NetworkLayers.Run(layers, input, 0, level);

    public Tensor Head(Tensor features, int level)
    {
        using var last = NetworkLayers.Run(layers, features, level, layers.Length);
        return fc.forward(last);
    }

    /// <summary>torchvision's BasicBlock: two 3x3 convolutions with BatchNorm, a 1x1 strided shortcut when the shape changes.</summary>
    /// <remarks>Internal: Export/OnnxTranslation writes this forward pass as ONNX nodes (its tests compare the two).</remarks>
    internal sealed class BasicBlock : Module<Tensor, Tensor>
    {
        private readonly Module<Tensor, Tensor> conv1;
        private readonly Module<Tensor, Tensor> bn1;
        private readonly Module<Tensor, Tensor> conv2;
        private readonly Module<Tensor, Tensor> bn2;
        private readonly Sequential? downsample;

        public BasicBlock(long input, long output, long stride) : base(nameof(BasicBlock))
        {
            conv1 = Conv2d(input, output, 3, stride: stride, padding: 1, bias: false);
            bn1 = BatchNorm2d(output);
            conv2 = Conv2d(output, output, 3, padding: 1, bias: false);
            bn2 = BatchNorm2d(output);
            downsample = stride != 1 || input != output ? NetworkLayers.Indexed(Conv2d(input, output, 1, stride: stride, bias: false), BatchNorm2d(output)) : null;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var main = bn2.forward(NetworkLayers.Forward(conv2, functional.relu(bn1.forward(NetworkLayers.Forward(conv1, input)))));
            var identity = downsample is null ? input : NetworkLayers.Forward(downsample, input);
            return functional.relu(main.Plus(identity)).MoveToOuterDisposeScope();
        }
    }
}
