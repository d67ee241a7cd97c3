using ClinicaDL.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// ClinicaDL's SqueezeExcitationCNN (SECNNDesigner3D, after Ghosal et al. 2019) for 1x169x208x179 images: five
/// residual blocks (8 to 128 channels: conv(3)-BatchNorm-ReLU, conv(3)-BatchNorm, a squeeze-and-excitation block
/// reweighting the channels, plus a bias-free 1x1x1 shortcut, then ReLU), each followed by MaxPool3d(3, 2), then
/// FC 10240-256-output after dropout 0.5. ClinicaDL builds it for that shape whatever input_size says, fixes the
/// dropout at 0.5 and the output at 2; here the output follows the task (classes). Layer names are ClinicaDL's
/// (convolutions.k.0 is block k, convolutions.k.0.se_block.fc1 ...), so weights exchange with ClinicaDL.
/// </summary>
public sealed class SqueezeExcitationCNN : Module<Tensor, Tensor>, IFeatureNetwork
{
    public static readonly long[] RequiredShape = [1, 169, 208, 179];

    /// <summary>ClinicaDL's ratio_channel: the excitation's hidden layer has channels / 8 units.</summary>
    private const long ReductionRatio = 8;

    private readonly Sequential convolutions;
    private readonly Sequential fc;
    private readonly Module<Tensor, Tensor>[] blocks;

    internal SqueezeExcitationCNN(int outputSize) : base("SqueezeExcitationCNN")
    {
        var list = new List<Module<Tensor, Tensor>>();
        var stages = new List<Module<Tensor, Tensor>>();
        long channels = RequiredShape[0];
        foreach (var output in new long[] { 8, 16, 32, 64, 128 })
        {
            var (block, pool) = (new ResidualBlock(channels, output), MaxPool3d(3, 2));
            list.AddRange([block, pool]);
            stages.Add(NetworkLayers.Indexed(block, pool));
            channels = output;
        }
        blocks = [.. list];
        convolutions = NetworkLayers.Indexed([.. stages]);
        // Five MaxPool3d(3, 2) take 169x208x179 to 4x5x4: 128 x 80 = 10240 features.
        fc = NetworkLayers.Indexed(Flatten(), Dropout(0.5), Linear(128 * 4 * 5 * 4, 256), ReLU(), Linear(256, outputSize));
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

    /// <summary>ClinicaDL's ResBlock_SE: relu(se(bn2(conv2(relu(bn1(conv1(x)))))) + shortcut(x)).</summary>
    private sealed class ResidualBlock : Module<Tensor, Tensor>
    {
        private readonly Module<Tensor, Tensor> conv1;
        private readonly Module<Tensor, Tensor> bn1;
        private readonly Module<Tensor, Tensor> conv2;
        private readonly Module<Tensor, Tensor> bn2;
        private readonly SqueezeExcitation se_block;
        private readonly Sequential shortcut;

        public ResidualBlock(long input, long output) : base("ResBlock_SE")
        {
            conv1 = Conv3d(input, output, 3, padding: 1, bias: false);
            bn1 = BatchNorm3d(output);
            conv2 = Conv3d(output, output, 3, padding: 1, bias: false);
            bn2 = BatchNorm3d(output);
            se_block = new SqueezeExcitation(output);
            shortcut = NetworkLayers.Indexed(Conv3d(input, output, 1, bias: false));
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var main = se_block.forward(bn2.forward(NetworkLayers.Forward(conv2, functional.relu(bn1.forward(NetworkLayers.Forward(conv1, input))))));
            return functional.relu(main.Plus(NetworkLayers.Forward(shortcut, input))).MoveToOuterDisposeScope();
        }
    }

    /// <summary>ClinicaDL's SE_Blocks: each channel scaled by sigmoid(fc2(relu(fc1(its spatial mean)))).</summary>
    private sealed class SqueezeExcitation : Module<Tensor, Tensor>
    {
        private readonly Linear fc1;
        private readonly Linear fc2;

        public SqueezeExcitation(long channels) : base("SE_Blocks")
        {
            fc1 = Linear(channels, channels / ReductionRatio);
            fc2 = Linear(channels / ReductionRatio, channels);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var squeezed = functional.adaptive_avg_pool3d(input, [1, 1, 1]).flatten(1);
            var weights = functional.sigmoid(fc2.forward(functional.relu(fc1.forward(squeezed))));
            return (input * weights.view(weights.shape[0], weights.shape[1], 1, 1, 1)).MoveToOuterDisposeScope();
        }
    }
}
