using ClinicaDL.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// ClinicaDL's CVAE_3D, CVAE_3D_half and CVAE_3D_final_conv: three stride-2 conv(3) layers (32, 64, 128 channels,
/// with bias), a dense code (mean tanh(fc10), log-variance fc11), fc2 to 256 maps of the encoder's final size,
/// three stride-2 transposed conv(3) layers (128, 64, 1 channels) back to the input's size. The code is sampled in
/// training mode with one eps vector for the whole batch, as ClinicaDL does, and is the mean in evaluation mode.
/// <list type="bullet">
/// <item>CVAE_3D: 1x169x208x179, BatchNorm and ReLU, a ReLU output; its own loss, squared error summed per image
/// plus 5 x KL, whatever loss is configured.</item>
/// <item>CVAE_3D_half: the size_reduction_factor 2 to 5 shapes, BatchNorm, LeakyReLU(0.2) in the encoder, ReLU in
/// the decoder, a Sigmoid output; loss reconstruction + kl_weight x KL.</item>
/// <item>CVAE_3D_final_conv: as CVAE_3D_half with InstanceNorm (no weights), LeakyReLU(0.01) in the decoder, and a
/// final conv(3) before the Sigmoid.</item>
/// </list>
/// Layer names are ClinicaDL's (conv1, bn1, fc10, upconv4 ...), including the BatchNorms bn4 and bn7 that its
/// forward pass never uses (they are in its state dict).
/// </summary>
public sealed class ConvolutionalVariationalAutoEncoder : Module<Tensor, Tensor>, IVariationalAutoEncoder
{
    /// <summary>The input shapes of ClinicaDL's size_reduction_factor 2, 3, 4 and 5, the only ones CVAE_3D_half and CVAE_3D_final_conv build for.</summary>
    public static readonly long[][] ReducedShapes = [[1, 80, 96, 80], [1, 56, 64, 56], [1, 40, 48, 40], [1, 32, 40, 32]];

    public static readonly long[] FullShape = [1, 169, 208, 179];

    /// <summary>CVAE_3D's fixed KL weight (its beta).</summary>
    private const double FullKlWeight = 5;

    private enum Variant { Full, Half, FinalConvolution }

    // The activations' slopes, kept for the process (see TensorArithmetic).
    private static readonly Scalar EncoderSlope = 0.2.ToScalar();
    private static readonly Scalar DecoderSlope = 0.01.ToScalar();

    private readonly Conv3d conv1;
    private readonly Conv3d conv2;
    private readonly Conv3d conv3;
    private readonly Module<Tensor, Tensor> bn1;
    private readonly Module<Tensor, Tensor> bn2;
    private readonly Module<Tensor, Tensor> bn3;
    private readonly Module<Tensor, Tensor>? bn4;
    private readonly Linear fc10;
    private readonly Linear fc11;
    private readonly Linear fc2;
    private readonly TransposedConvolution upconv1;
    private readonly TransposedConvolution upconv2;
    private readonly TransposedConvolution upconv4;
    private readonly Module<Tensor, Tensor> bn5;
    private readonly Module<Tensor, Tensor> bn6;
    private readonly Module<Tensor, Tensor> bn7;
    private readonly Conv3d? final;
    private readonly Variant _variant;
    private readonly long[] _codeMap;
    private readonly double _reconstructionWeight;
    private readonly double _klWeight;

    private ConvolutionalVariationalAutoEncoder(string name, Variant variant, long[] inputShape, NetworkSettings settings) : base(name)
    {
        _variant = variant;
        _reconstructionWeight = settings.ReconstructionWeight;
        _klWeight = variant == Variant.Full ? FullKlWeight : settings.KlWeight;
        // Three stride-2 conv(3) with padding 1 give ceil(n / 2) each time.
        _codeMap = inputShape[1..].Select(s => (((s + 1) / 2 + 1) / 2 + 1) / 2).ToArray();
        var features = 128 * _codeMap.Aggregate(1L, (p, s) => p * s);
        conv1 = Conv3d(1, 32, 3, stride: 2, padding: 1);
        conv2 = Conv3d(32, 64, 3, stride: 2, padding: 1);
        conv3 = Conv3d(64, 128, 3, stride: 2, padding: 1);
        fc10 = Linear(features, settings.LatentSpaceSize);
        fc11 = Linear(features, settings.LatentSpaceSize);
        fc2 = Linear(settings.LatentSpaceSize, 2 * features);
        // Each transposed conv(3), stride 2, padding 1 gives 2n - 1 + output padding: the padding restores the
        // encoder's sizes (CVAE_3D's are ClinicaDL's fixed ones for 169x208x179; the reduced shapes are multiples of 8).
        long[][] outputPaddings = variant == Variant.Full ? [[0, 1, 0], [0, 1, 1], [0, 1, 0]] : [[1, 1, 1], [1, 1, 1], [1, 1, 1]];
        upconv1 = new TransposedConvolution(256, 128, 3, 2, 1, outputPaddings[0], bias: true);
        upconv2 = new TransposedConvolution(128, 64, 3, 2, 1, outputPaddings[1], bias: true);
        upconv4 = new TransposedConvolution(64, 1, 3, 2, 1, outputPaddings[2], bias: true);
        if (variant == Variant.FinalConvolution)
        {
            (bn1, bn2, bn3) = (InstanceNorm3d(32), InstanceNorm3d(64), InstanceNorm3d(128));
            (bn5, bn6, bn7) = (InstanceNorm3d(128), InstanceNorm3d(64), InstanceNorm3d(1));
            final = Conv3d(1, 1, 3, padding: 1);
        }
        else
        {
            (bn1, bn2, bn3, bn4) = (BatchNorm3d(32), BatchNorm3d(64), BatchNorm3d(128), BatchNorm3d(128));
            (bn5, bn6, bn7) = (BatchNorm3d(128), BatchNorm3d(64), BatchNorm3d(32));
        }
        RegisterComponents();
    }

    internal static ConvolutionalVariationalAutoEncoder Full(NetworkSettings settings) => new("CVAE_3D", Variant.Full, FullShape, settings);

    internal static ConvolutionalVariationalAutoEncoder Half(long[] inputShape, NetworkSettings settings) => new("CVAE_3D_half", Variant.Half, inputShape, settings);

    internal static ConvolutionalVariationalAutoEncoder FinalConvolution(long[] inputShape, NetworkSettings settings) => new("CVAE_3D_final_conv", Variant.FinalConvolution, inputShape, settings);

    public bool OwnsLoss => _variant == Variant.Full;

    public override Tensor forward(Tensor input)
    {
        var (reconstruction, mean, logVariance) = ForwardWithCode(input);
        mean.Dispose();
        logVariance.Dispose();
        return reconstruction;
    }

    public (Tensor Reconstruction, Tensor Mean, Tensor LogVariance) ForwardWithCode(Tensor input)
    {
        using var scope = NewDisposeScope();
        var encoded = Encoder(input).flatten(1);
        var mean = fc10.forward(encoded).tanh();
        var logVariance = fc11.forward(encoded);
        // As ClinicaDL's reparametrize: with kl_weight (its beta) 0 the network is a plain autoencoder and decodes the mean.
        var reconstruction = Decoder(training && _klWeight != 0 ? VariationalSampling.SampleSharedAcrossBatch(mean, logVariance) : mean);
        return (reconstruction.MoveToOuterDisposeScope(), mean.MoveToOuterDisposeScope(), logVariance.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// CVAE_3D: reconstruction + 5 x KL; the others: reconstruction + kl_weight x KL, or with the continuous
    /// Bernoulli log-constant recons_weight x the first term + kl_weight x the second + the constant.
    /// </summary>
    public Tensor Total(Tensor reconstruction, Tensor kl, Tensor? logConstant)
    {
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var total = logConstant is null
            ? reconstruction.Plus(kl * scalars.Of(_klWeight))
            : (reconstruction * scalars.Of(_reconstructionWeight)).Plus(kl * scalars.Of(_klWeight)).Plus(logConstant);
        return total.MoveToOuterDisposeScope();
    }

    private Tensor Encoder(Tensor input)
    {
        if (_variant == Variant.Full)
        {
            return functional.relu(bn3.forward(NetworkLayers.Forward(conv3, functional.relu(bn2.forward(NetworkLayers.Forward(conv2, functional.relu(bn1.forward(NetworkLayers.Forward(conv1, input)))))))));
        }
        var h1 = bn1.forward(NetworkLayers.Forward(conv1, input)).leaky_relu(EncoderSlope);
        var h2 = bn2.forward(NetworkLayers.Forward(conv2, h1)).leaky_relu(EncoderSlope);
        return bn3.forward(NetworkLayers.Forward(conv3, h2)).leaky_relu(EncoderSlope);
    }

    private Tensor Decoder(Tensor code)
    {
        Tensor Activation(Tensor x) => _variant == Variant.FinalConvolution ? x.leaky_relu(DecoderSlope) : functional.relu(x);
        var map = Activation(fc2.forward(code)).reshape([code.shape[0], 256, .. _codeMap]);
        var h6 = Activation(bn5.forward(NetworkLayers.Forward(upconv1, map)));
        var h7 = Activation(bn6.forward(NetworkLayers.Forward(upconv2, h6)));
        return _variant switch
        {
            Variant.Full => functional.relu(NetworkLayers.Forward(upconv4, h7)),
            Variant.Half => functional.sigmoid(NetworkLayers.Forward(upconv4, h7)),
            _ => functional.sigmoid(BlockAlignedConvolution.Forward(final!, Activation(bn7.forward(NetworkLayers.Forward(upconv4, h7))))),
        };
    }
}
