using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// ClinicaDL's GeneratorUNet (reconstruction): five stride-2 conv(3)-InstanceNorm-LeakyReLU(0.2) blocks down (64,
/// 128, 256, 512, 512 channels), four stride-2 transposed conv(4)-InstanceNorm-ReLU blocks up (512, 256, 128, 64),
/// each after the first taking the matching down block's output concatenated to its input, then nearest 2x
/// upsampling, conv(3) to one channel and Tanh. One-channel 3D images whose sizes are multiples of 32 (ClinicaDL
/// writes it for 1x128x128x128), so that each skip connection meets a map of its size. Layer names are ClinicaDL's
/// (down1.model.0, up2.model.0, final.model.1); InstanceNorm has no weights.
/// </summary>
public sealed class GeneratorUNet : Module<Tensor, Tensor>
{
    /// <summary>Five halvings: every size must divide by 32 for the skip connections to meet.</summary>
    public const long SizeMultiple = 32;

    private readonly Block down1;
    private readonly Block down2;
    private readonly Block down3;
    private readonly Block down4;
    private readonly Block down5;
    private readonly Block up1;
    private readonly Block up2;
    private readonly Block up3;
    private readonly Block up4;
    private readonly Block final;

    internal GeneratorUNet() : base("GeneratorUNet")
    {
        down1 = Down(1, 64);
        down2 = Down(64, 128);
        down3 = Down(128, 256);
        down4 = Down(256, 512);
        down5 = Down(512, 512);
        up1 = Up(512, 512);
        up2 = Up(1024, 256);
        up3 = Up(512, 128);
        up4 = Up(256, 64);
        final = new Block(NetworkLayers.Indexed(Upsample(scale_factor: [2, 2, 2]), Conv3d(128, 1, 3, padding: 1), Tanh()));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var d1 = down1.forward(input);
        var d2 = down2.forward(d1);
        var d3 = down3.forward(d2);
        var d4 = down4.forward(d3);
        var d5 = down5.forward(d4);
        var u1 = up1.forward(d5);
        var u2 = up2.forward(cat([u1, d4], 1));
        var u3 = up3.forward(cat([u2, d3], 1));
        var u4 = up4.forward(cat([u3, d2], 1));
        return final.forward(cat([u4, d1], 1)).MoveToOuterDisposeScope();
    }

    private static Block Down(long input, long output) =>
        new(NetworkLayers.Indexed(Conv3d(input, output, 3, stride: 2, padding: 1), InstanceNorm3d(output), new KeptLeakyReLU(0.2)));

    private static Block Up(long input, long output) =>
        new(NetworkLayers.Indexed(new TransposedConvolution(input, output, 4, 2, 1, [0, 0, 0], bias: true), InstanceNorm3d(output), ReLU()));

    /// <summary>ClinicaDL's UNetDown, UNetUp and FinalLayer: a module holding one Sequential named model (the skip concatenation is done by the caller).</summary>
    private sealed class Block : Module<Tensor, Tensor>
    {
        private readonly Sequential model;

        public Block(Sequential layers) : base("UNetBlock")
        {
            model = layers;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => NetworkLayers.Forward(model, input);
    }
}
