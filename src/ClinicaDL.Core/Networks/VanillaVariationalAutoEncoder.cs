using ClinicaDL.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// ClinicaDL's BaseVAE networks: VanillaDenseVAE and VanillaSpatialVAE (2D), Vanilla3DdenseVAE and
/// Vanilla3DspacialVAE (3D). An encoder of stride-2 conv(4)-BatchNorm-LeakyReLU(0.2) layers (each halves a size,
/// rounding down), a code (dense: Linear mu_layer and var_layer; spatial: one-channel conv(3) mu_layer and
/// var_layer), a decoder of stride-2 transposed conv(4)-BatchNorm-ReLU layers whose output paddings restore the
/// odd sizes, and a Sigmoid output. The loss is recons_weight x reconstruction + kl_weight x KL (+ the continuous
/// Bernoulli log-constant), with one of ClinicaDL's VAE losses. Layer names are ClinicaDL's (encoder, mu_layer,
/// var_layer, decoder; the 2D encoder and decoder hold their layers in a child named sequential).
/// </summary>
public sealed class VanillaVariationalAutoEncoder : Module<Tensor, Tensor>, IVariationalAutoEncoder
{
    private readonly Module<Tensor, Tensor> encoder;
    private readonly Module<Tensor, Tensor> mu_layer;
    private readonly Module<Tensor, Tensor> var_layer;
    private readonly Module<Tensor, Tensor> decoder;
    private readonly double _reconstructionWeight;
    private readonly double _klWeight;

    private VanillaVariationalAutoEncoder(string name, Module<Tensor, Tensor> encoder, Module<Tensor, Tensor> muLayer, Module<Tensor, Tensor> varLayer,
        Module<Tensor, Tensor> decoder, NetworkSettings settings) : base(name)
    {
        this.encoder = encoder;
        mu_layer = muLayer;
        var_layer = varLayer;
        this.decoder = decoder;
        _reconstructionWeight = settings.ReconstructionWeight;
        _klWeight = settings.KlWeight;
        RegisterComponents();
    }

    public bool OwnsLoss => false;

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
        var features = NetworkLayers.Forward(encoder, input);
        var mean = NetworkLayers.Forward(mu_layer, features);
        var logVariance = NetworkLayers.Forward(var_layer, features);
        var reconstruction = NetworkLayers.Forward(decoder, training ? VariationalSampling.Sample(mean, logVariance) : mean);
        return (reconstruction.MoveToOuterDisposeScope(), mean.MoveToOuterDisposeScope(), logVariance.MoveToOuterDisposeScope());
    }

    /// <summary>BaseVAE.compute_outputs_and_loss: lambda1 x the first term + lambda2 x the second (+ the third when there is one).</summary>
    public Tensor Total(Tensor reconstruction, Tensor kl, Tensor? logConstant)
    {
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var total = (reconstruction * scalars.Of(_reconstructionWeight)).Plus(kl * scalars.Of(_klWeight));
        return (logConstant is null ? total : total.Plus(logConstant)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// VanillaDenseVAE: 2D, four encoder layers (32 to 256 channels), then Flatten-Linear(feature_size)-ReLU, a
    /// dense code of latent_space_size, and the mirror decoder. Sizes of at least 16 pixels.
    /// </summary>
    internal static VanillaVariationalAutoEncoder Dense2D(long[] inputShape, NetworkSettings settings)
    {
        const int convolutions = 4;
        const long first = 32;
        var (encoding, paddings, reduced) = Encoding(2, inputShape, convolutions, first);
        var deepest = first << (convolutions - 1);
        var flat = deepest * reduced.Aggregate(1L, (p, s) => p * s);
        encoding.Add(NetworkLayers.Indexed(Flatten(), Linear(flat, settings.FeatureSize), ReLU()));
        var decoding = new List<Module<Tensor, Tensor>>
        {
            NetworkLayers.Indexed(Linear(settings.LatentSpaceSize, settings.FeatureSize), ReLU(), Linear(settings.FeatureSize, flat), ReLU(), Unflatten(1, [deepest, .. reduced]), ReLU()),
        };
        decoding.AddRange(Decoding(2, inputShape[0], convolutions, first, paddings));
        return new("VanillaDenseVAE", new SequentialHolder(NetworkLayers.Indexed([.. encoding])),
            Linear(settings.FeatureSize, settings.LatentSpaceSize), Linear(settings.FeatureSize, settings.LatentSpaceSize),
            new SequentialHolder(NetworkLayers.Indexed([.. decoding])), settings);
    }

    /// <summary>
    /// VanillaSpatialVAE: 2D, four encoder layers (32 to 256 channels), then conv(3) to 64 feature maps, a
    /// one-channel spatial code (1/16 of each size), transposed conv(3) back to 64 then 256 maps, and the mirror
    /// decoder. Sizes of at least 16 pixels; latent_space_size is not read (as in ClinicaDL).
    /// </summary>
    internal static VanillaVariationalAutoEncoder Spatial2D(long[] inputShape, NetworkSettings settings)
    {
        const int convolutions = 4;
        const long first = 32, featureChannels = 64, codeChannels = 1;
        var (encoding, paddings, _) = Encoding(2, inputShape, convolutions, first);
        var deepest = first << (convolutions - 1);
        encoding.Add(NetworkLayers.Indexed(Conv2d(deepest, featureChannels, 3, padding: 1, bias: false), ReLU()));
        var decoding = new List<Module<Tensor, Tensor>>
        {
            NetworkLayers.Indexed(new TransposedConvolution(codeChannels, featureChannels, 3, 1, 1, [0, 0], bias: false), ReLU(),
                new TransposedConvolution(featureChannels, deepest, 3, 1, 1, [0, 0], bias: false), ReLU()),
        };
        decoding.AddRange(Decoding(2, inputShape[0], convolutions, first, paddings));
        return new("VanillaSpatialVAE", new SequentialHolder(NetworkLayers.Indexed([.. encoding])),
            Conv2d(featureChannels, codeChannels, 3, padding: 1, bias: false), Conv2d(featureChannels, codeChannels, 3, padding: 1, bias: false),
            new SequentialHolder(NetworkLayers.Indexed([.. decoding])), settings);
    }

    /// <summary>
    /// Vanilla3DdenseVAE: n_conv encoder layers (io_layer_channels doubling each time), Flatten, Linear(feature_size)-
    /// ReLU (none when feature_size is 0), a dense code of latent_space_size, Linear layers back, the spatial map
    /// again, and the mirror decoder.
    /// </summary>
    internal static VanillaVariationalAutoEncoder Dense3D(long[] inputShape, NetworkSettings settings)
    {
        var convolutions = settings.ConvolutionCount;
        long first = settings.InputOutputChannels;
        var (encoding, paddings, reduced) = Encoding(3, inputShape, convolutions, first);
        if (reduced.Any(s => s < 1))
        {
            var most = (int)Math.Floor(Math.Log2(inputShape[1..].Min()));
            throw new ArgumentException($"Vanilla3DdenseVAE: n_conv = {convolutions} halvings leave nothing of {string.Join("x", inputShape[1..])} images; n_conv can be at most {most} for them.", "n_conv");
        }
        var deepest = first << (convolutions - 1);
        var flat = deepest * reduced.Aggregate(1L, (p, s) => p * s);
        encoding.Add(Flatten());
        var features = settings.FeatureSize == 0 ? flat : settings.FeatureSize;
        var decoding = new List<Module<Tensor, Tensor>>();
        if (settings.FeatureSize == 0)
        {
            decoding.Add(NetworkLayers.Indexed(Linear(settings.LatentSpaceSize, flat), ReLU()));
        }
        else
        {
            encoding.Add(NetworkLayers.Indexed(Linear(flat, features), ReLU()));
            decoding.Add(NetworkLayers.Indexed(Linear(settings.LatentSpaceSize, features), ReLU(), Linear(features, flat), ReLU()));
        }
        decoding.Add(Unflatten(1, [deepest, .. reduced]));
        decoding.AddRange(Decoding(3, inputShape[0], convolutions, first, paddings));
        return new("Vanilla3DdenseVAE", NetworkLayers.Indexed([.. encoding]), Linear(features, settings.LatentSpaceSize), Linear(features, settings.LatentSpaceSize),
            NetworkLayers.Indexed([.. decoding]), settings);
    }

    /// <summary>
    /// Vanilla3DspacialVAE: four encoder layers (32 to 256 channels), a fifth stride-2 conv(4) to 512 maps, a
    /// one-channel spatial code (conv(3) mu_layer and var_layer), transposed conv(3) back to 512 maps, a stride-2
    /// transposed conv(4) to 256, and the mirror decoder. ClinicaDL's constructor cannot run (its decoder reads a
    /// fourth output padding from a list of three); here the output paddings come from the input's sizes, as in
    /// Vanilla3DdenseVAE, so the output has the input's shape. latent_space_size is not read (as in ClinicaDL).
    /// </summary>
    internal static VanillaVariationalAutoEncoder Spatial3D(long[] inputShape, NetworkSettings settings)
    {
        const int convolutions = 4;
        const long first = 32, featureChannels = 512, codeChannels = 1;
        var (encoding, paddings, reduced) = Encoding(3, inputShape, convolutions, first);
        var deepest = first << (convolutions - 1);
        encoding.Add(NetworkLayers.Indexed(Conv3d(deepest, featureChannels, 4, stride: 2, padding: 1, bias: false), ReLU()));
        var fifth = reduced.Select(s => s % 2).ToArray();
        var decoding = new List<Module<Tensor, Tensor>>
        {
            NetworkLayers.Indexed(new TransposedConvolution(codeChannels, featureChannels, 3, 1, 1, [0, 0, 0], bias: false), ReLU(),
                Transposed(featureChannels, deepest, fifth), ReLU()),
        };
        decoding.AddRange(Decoding(3, inputShape[0], convolutions, first, paddings));
        return new("Vanilla3DspacialVAE", NetworkLayers.Indexed([.. encoding]),
            Conv3d(featureChannels, codeChannels, 3, padding: 1, bias: false), Conv3d(featureChannels, codeChannels, 3, padding: 1, bias: false),
            NetworkLayers.Indexed([.. decoding]), settings);
    }

    /// <summary>
    /// The encoder layers (conv(4), stride 2, padding 1: each size halved, rounding down), the output padding that
    /// restores each layer's input size in the decoder (1 where it was odd), and the sizes after the last layer.
    /// </summary>
    private static (List<Module<Tensor, Tensor>> Layers, long[][] Paddings, long[] Reduced) Encoding(int dimensions, long[] inputShape, int convolutions, long first)
    {
        var layers = new List<Module<Tensor, Tensor>>();
        var paddings = new long[convolutions][];
        var sizes = inputShape[1..];
        var channels = inputShape[0];
        for (var i = 0; i < convolutions; i++)
        {
            var output = first << i;
            var convolution = dimensions == 3 ? (Module<Tensor, Tensor>)Conv3d(channels, output, 4, stride: 2, padding: 1, bias: false) : Conv2d(channels, output, 4, stride: 2, padding: 1, bias: false);
            layers.Add(new HalfConvolutionalAutoEncoder.NamedLayer(NetworkLayers.Indexed(convolution, NetworkLayers.BatchNorm(dimensions, output), new KeptLeakyReLU(0.2))));
            paddings[i] = sizes.Select(s => s % 2).ToArray();
            sizes = sizes.Select(s => s / 2).ToArray();
            channels = output;
        }
        return (layers, paddings, sizes);
    }

    /// <summary>The decoder layers from the deepest channels back to <paramref name="first"/>, then the Sigmoid output layer.</summary>
    private static IEnumerable<Module<Tensor, Tensor>> Decoding(int dimensions, long inputChannels, int convolutions, long first, long[][] paddings)
    {
        for (var i = convolutions - 1; i > 0; i--)
        {
            yield return new HalfConvolutionalAutoEncoder.NamedLayer(NetworkLayers.Indexed(
                Transposed(first << i, first << (i - 1), paddings[i]), NetworkLayers.BatchNorm(dimensions, first << (i - 1)), ReLU()));
        }
        yield return NetworkLayers.Indexed(Transposed(first, inputChannels, paddings[0]), Sigmoid());
    }

    /// <summary>A bias-free stride-2 transposed conv(4), padding 1: each size doubled, plus its output padding (one per axis, 2D or 3D).</summary>
    private static Module<Tensor, Tensor> Transposed(long input, long output, long[] outputPadding) =>
        new TransposedConvolution(input, output, 4, 2, 1, outputPadding, bias: false);

    /// <summary>ClinicaDL's VAE_Encoder and VAE_Decoder: a module whose layers are its child named sequential.</summary>
    private sealed class SequentialHolder : Module<Tensor, Tensor>
    {
        private readonly Sequential sequential;

        public SequentialHolder(Sequential layers) : base("VAE_Coder")
        {
            sequential = layers;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => sequential.forward(input);
    }
}
