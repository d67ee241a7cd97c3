using ClinicaDL.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// ClinicaDL's ResNet3D for 1x169x208x179 images: five residual blocks (8 to 128 channels, ELU, 1x1x1 shortcut)
/// each followed by MaxPool3d(3, 2), then FC 10240-256-output with dropout 0.8. ClinicaDL fixes the output to
/// 2; here it follows the task (classes, or 1 for regression). The layers carry ClinicaDL's names (convolutions.k
/// holds block k and its pooling, a shortcut is a one-convolution sequence), so weights exchange with ClinicaDL.
/// </summary>
public sealed class ResNet3D : Module<Tensor, Tensor>, IFeatureNetwork
{
    public static readonly long[] RequiredShape = [1, 169, 208, 179];

    private readonly Sequential convolutions;
    private readonly Sequential fc;
    private readonly Module<Tensor, Tensor>[] blocks;

    internal ResNet3D(int outputSize) : base("ResNet3D")
    {
        var list = new List<Module<Tensor, Tensor>>();
        var stages = new List<Module<Tensor, Tensor>>();
        long channels = 1;
        foreach (var output in new long[] { 8, 16, 32, 64, 128 })
        {
            var (block, pool) = (new ResidualBlock(channels, output), MaxPool3d(3, 2));
            list.AddRange([block, pool]);
            stages.Add(NetworkLayers.Indexed(block, pool));
            channels = output;
        }
        blocks = [.. list];
        convolutions = NetworkLayers.Indexed([.. stages]);
        fc = NetworkLayers.Indexed(Flatten(), Linear(128 * 4 * 5 * 4, 256), new KeptELU(1.0), Dropout(0.8), Linear(256, outputSize));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var features = NetworkLayers.Forward(convolutions, input);
        return fc.forward(features);
    }

    public int FeatureLayerCount => blocks.Length;

    public Tensor Features(Tensor input, int level) => NetworkLayers.Run(blocks, input, 0, level);

    public Tensor Head(Tensor features, int level)
    {
        using var last = NetworkLayers.Run(blocks, features, level, blocks.Length);
        return fc.forward(last);
    }

    /// <remarks>Internal: Export/OnnxTranslation writes this forward pass as ONNX nodes (its tests compare the two).</remarks>
    internal sealed class ResidualBlock : Module<Tensor, Tensor>
    {
        private readonly Module<Tensor, Tensor> conv1;
        private readonly Module<Tensor, Tensor> bn1;
        private readonly Module<Tensor, Tensor> conv2;
        private readonly Module<Tensor, Tensor> bn2;
        private readonly Sequential shortcut;

        /// <summary>ELU's alpha, scale and input scale, kept for the process (see TensorArithmetic).</summary>
        private static readonly Scalar One = 1.0.ToScalar();

        public ResidualBlock(long input, long output) : base(nameof(ResidualBlock))
        {
            conv1 = Conv3d(input, output, 3, padding: 1, bias: false);
            bn1 = BatchNorm3d(output);
            conv2 = Conv3d(output, output, 3, padding: 1, bias: false);
            bn2 = BatchNorm3d(output);
            shortcut = NetworkLayers.Indexed(Conv3d(input, output, 1, bias: false));
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var main = bn2.forward(NetworkLayers.Forward(conv2, bn1.forward(NetworkLayers.Forward(conv1, input)).elu(One, One, One)));
            return main.Plus(NetworkLayers.Forward(shortcut, input)).elu(One, One, One).MoveToOuterDisposeScope();
        }
    }
}
