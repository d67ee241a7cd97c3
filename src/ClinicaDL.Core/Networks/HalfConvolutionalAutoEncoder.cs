using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// ClinicaDL's CAE_half, written for 1x80x96x80 images (169x208x179 with size_reduction_factor 2): an encoder of
/// three stride-2 conv(3)-BatchNorm-LeakyReLU(0.2) layers (32, 64, 128 channels) then Linear(153600, latent),
/// a decoder Linear(latent, 307200), reshaped to 256x10x12x10, then three stride-2 transposed conv(3)-BatchNorm-
/// ReLU layers (128, 64, 1 channels) that double each size back to 80x96x80. Layer names are ClinicaDL's
/// (encoder.0.layer.0 ..., decoder.0, decoder.2.layer.0 ...).
/// </summary>
public sealed class HalfConvolutionalAutoEncoder : Module<Tensor, Tensor>
{
    public static readonly long[] RequiredShape = [1, 80, 96, 80];

    private readonly Sequential encoder;
    private readonly Sequential decoder;

    internal HalfConvolutionalAutoEncoder(int latentSpaceSize) : base("CAE_half")
    {
        encoder = NetworkLayers.Indexed(Layer(1, 32, transposed: false), Layer(32, 64, transposed: false), Layer(64, 128, transposed: false), Flatten(), Linear(153600, latentSpaceSize));
        decoder = NetworkLayers.Indexed(Linear(latentSpaceSize, 307200), Unflatten(1, [256, 10, 12, 10]),
            Layer(256, 128, transposed: true), Layer(128, 64, transposed: true), Layer(64, 1, transposed: true));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var code = encoder.forward(input);
        return decoder.forward(code);
    }

    /// <summary>ClinicaDL's EncoderLayer3D / DecoderLayer3D: a module holding one Sequential named layer.</summary>
    private static Module<Tensor, Tensor> Layer(long input, long output, bool transposed) => new NamedLayer(transposed
        ? NetworkLayers.Indexed(ConvTranspose3d(input, output, 3, stride: 2, padding: 1, output_padding: 1, bias: false), BatchNorm3d(output), ReLU())
        : NetworkLayers.Indexed(Conv3d(input, output, 3, stride: 2, padding: 1, bias: false), BatchNorm3d(output), new KeptLeakyReLU(0.2)));

    /// <remarks>Internal: Export/OnnxTranslation writes this forward pass as ONNX nodes (its tests compare the two).</remarks>
    internal sealed class NamedLayer : Module<Tensor, Tensor>
    {
        private readonly Sequential layer;

        public NamedLayer(Sequential layer) : base(nameof(NamedLayer))
        {
            this.layer = layer;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => NetworkLayers.Forward(layer, input);
    }
}
