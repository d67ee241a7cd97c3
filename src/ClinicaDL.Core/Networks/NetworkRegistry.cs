using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// The architectures by ClinicaDL name. Each builds itself for an input shape (channels first, no batch) and
/// an output size, and refuses a shape it cannot take, saying which it needs.
/// </summary>
public static class NetworkRegistry
{
    /// <param name="Description">What Get-ClinicaDLNetwork shows.</param>
    /// <param name="Build">Builds the network for a sample shape, an output size and the configuration's settings.</param>
    /// <param name="Check">Why a sample shape cannot be taken; null when it can.</param>
    /// <param name="Variational">A VAE (<see cref="IVariationalAutoEncoder"/>), trained with one of ClinicaDL's VAE losses.</param>
    /// <param name="OwnsLoss">A VAE that computes its own loss whatever loss is configured (ClinicaDL's CVAE_3D).</param>
    private sealed record Entry(NetworkDescription Description, Func<long[], int, NetworkSettings, nn.Module<Tensor, Tensor>> Build, Func<long[], string?> Check,
        bool Variational = false, bool OwnsLoss = false);

    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Conv5_FC3"] = new(Describe("Conv5_FC3", "2D/3D", "C x D x H x W or C x H x W, each spatial size at least 1",
                "Five conv(3)-BatchNorm-ReLU-PadMaxPool blocks (8, 16, 32, 64, 128 channels), then FC 1300-50-output. ClinicaDL's default."),
            (shape, output, settings) => ConvolutionalNetwork.Conv5FC3(shape, output, settings.Dropout), AnyImage),
        ["Conv4_FC3"] = new(Describe("Conv4_FC3", "2D/3D", "C x D x H x W or C x H x W",
                "As ClinicaDL: the same five convolution blocks as Conv5_FC3, then FC 50-40-output."),
            (shape, output, settings) => ConvolutionalNetwork.Conv4FC3(shape, output, settings.Dropout), AnyImage),
        ["Stride_Conv5_FC3"] = new(Describe("Stride_Conv5_FC3", "2D/3D", "C x D x H x W or C x H x W",
                "Five stride-2 conv(3)-BatchNorm-ReLU blocks, no pooling, then FC 1300-50-output."),
            (shape, output, settings) => ConvolutionalNetwork.StrideConv5FC3(shape, output, settings.Dropout), AnyImage),
        // Classification only: its domain classifier is trained with the task's loss on domain labels 0 and 1, which
        // ClinicaDL's regression loss (MSE on one output) cannot take. Trained only with ssda_network = true.
        ["Conv5_FC3_SSDA"] = new(new NetworkDescription
            {
                Name = "Conv5_FC3_SSDA", Tasks = ["classification"], Dimensions = "2D/3D", InputShapes = "C x D x H x W or C x H x W",
                Parameters = ["input_size", "output_size", "dropout"],
                Description = "Semi-supervised domain adaptation (ssda_network = true): Conv5_FC3's five blocks shared by three FC 1300-50-output heads, a source classifier, a target classifier and a domain classifier behind a gradient reversal layer. Predicts with the target classifier.",
            },
            (shape, output, settings) => new DomainAdaptationNetwork(shape, output, settings.Dropout), AnyImage),
        ["resnet18"] = new(Describe("resnet18", "2D", "C x H x W slices (rgb slices: 3 channels), each side at least 32",
                "torchvision's ResNet-18 (BasicBlocks [2, 2, 2, 2], 64 to 512 channels, average pooling over the final map), then FC 512-1000, dropout, output. ClinicaDL's ImageNet weights are not downloaded: trained from scratch."),
            (shape, output, settings) => new ResNet18(shape, output, settings.Dropout),
            shape => shape.Length == 3 && shape[1] >= 32 && shape[2] >= 32 ? null : "resnet18 takes 2D slices (C x H x W), each side at least 32 pixels"),
        ["ResNet3D"] = new(Describe("ResNet3D", "3D", "1 x 169 x 208 x 179 only (Clinica's cropped t1-linear at 1 mm)",
                "Five residual blocks (ELU, 1x1x1 shortcut) each followed by MaxPool3d(3, 2), then FC 10240-256-output, dropout 0.8.", withDropout: false),
            (_, output, _) => new ResNet3D(output),
            shape => shape.SequenceEqual(ResNet3D.RequiredShape) ? null : $"ResNet3D takes only {string.Join("x", ResNet3D.RequiredShape)} images"),
        ["AE_Conv5_FC3"] = new(DescribeAutoEncoder("AE_Conv5_FC3", "2D/3D", "C x D x H x W or C x H x W",
                "Encoder: Conv5_FC3's five conv-BatchNorm-ReLU-PadMaxPool blocks; decoder: the inverse (unpooling, transposed conv-BatchNorm-ReLU), back to the input's shape. ClinicaDL's default for reconstruction."),
            (shape, _, _) => new ConvolutionalAutoEncoder("AE_Conv5_FC3", shape), AnyImage),
        ["AE_Conv4_FC3"] = new(DescribeAutoEncoder("AE_Conv4_FC3", "2D/3D", "C x D x H x W or C x H x W",
                "As ClinicaDL: the same layers as AE_Conv5_FC3."),
            (shape, _, _) => new ConvolutionalAutoEncoder("AE_Conv4_FC3", shape), AnyImage),
        ["CAE_half"] = new(DescribeAutoEncoder("CAE_half", "3D", "1 x 80 x 96 x 80 only (169x208x179 with size_reduction_factor 2)",
                "Three stride-2 conv-BatchNorm-LeakyReLU layers, a dense latent code of latent_space_size, then three stride-2 transposed conv-BatchNorm-ReLU layers.", ["input_size", "latent_space_size"]),
            (_, _, settings) => new HalfConvolutionalAutoEncoder(settings.LatentSpaceSize),
            shape => shape.SequenceEqual(HalfConvolutionalAutoEncoder.RequiredShape) ? null : $"CAE_half takes only {string.Join("x", HalfConvolutionalAutoEncoder.RequiredShape)} images (use -SizeReduction -SizeReductionFactor 2 on 169x208x179 images)"),
        ["SqueezeExcitationCNN"] = new(Describe("SqueezeExcitationCNN", "3D", "1 x 169 x 208 x 179 only (Clinica's cropped t1-linear at 1 mm)",
                "Five residual blocks (conv-BatchNorm-ReLU, conv-BatchNorm, a squeeze-and-excitation channel reweighting, 1x1x1 shortcut) each followed by MaxPool3d(3, 2), then dropout 0.5 and FC 10240-256-output. Classification in ClinicaDL.", withDropout: false),
            (_, output, _) => new SqueezeExcitationCNN(output),
            shape => shape.SequenceEqual(SqueezeExcitationCNN.RequiredShape) ? null : $"SqueezeExcitationCNN takes only {string.Join("x", SqueezeExcitationCNN.RequiredShape)} images"),
        ["VanillaDenseVAE"] = new(DescribeAutoEncoder("VanillaDenseVAE", "2D", "C x H x W, each side at least 16",
                "VAE: four stride-2 conv(4)-BatchNorm-LeakyReLU layers (32 to 256 channels), FC feature_size, a dense code of latent_space_size (mean and log-variance layers), the mirror decoder with a Sigmoid output. Loss: recons_weight x reconstruction + kl_weight x KL (VAEGaussianLoss, VAEBernoulliLoss or VAEContinuousBernoulliLoss).",
                ["input_size", "latent_space_size", "feature_size", "recons_weight", "kl_weight"]),
            (shape, _, settings) => VanillaVariationalAutoEncoder.Dense2D(shape, settings), shape => AtLeast(shape, 2, 16, "VanillaDenseVAE"), Variational: true),
        ["VanillaSpatialVAE"] = new(DescribeAutoEncoder("VanillaSpatialVAE", "2D", "C x H x W, each side at least 16",
                "VAE: four stride-2 conv(4)-BatchNorm-LeakyReLU layers (32 to 256 channels), conv(3) to 64 maps, a one-channel spatial code at 1/16 of each side, the mirror decoder with a Sigmoid output. Loss as VanillaDenseVAE.",
                ["input_size", "recons_weight", "kl_weight"]),
            (shape, _, settings) => VanillaVariationalAutoEncoder.Spatial2D(shape, settings), shape => AtLeast(shape, 2, 16, "VanillaSpatialVAE"), Variational: true),
        ["Vanilla3DdenseVAE"] = new(DescribeAutoEncoder("Vanilla3DdenseVAE", "3D", ReducedShapesText,
                "VAE: n_conv stride-2 conv(4)-BatchNorm-LeakyReLU layers (io_layer_channels doubling), FC feature_size (none when 0), a dense code of latent_space_size, the mirror decoder with a Sigmoid output. Loss as VanillaDenseVAE.",
                ["size_reduction_factor", "latent_space_size", "feature_size", "n_conv", "io_layer_channels", "recons_weight", "kl_weight"]),
            (shape, _, settings) => VanillaVariationalAutoEncoder.Dense3D(shape, settings), shape => ReducedShape(shape, "Vanilla3DdenseVAE"), Variational: true),
        ["Vanilla3DspacialVAE"] = new(DescribeAutoEncoder("Vanilla3DspacialVAE", "3D", "C x D x H x W, each side at least 32",
                "VAE: four stride-2 conv(4)-BatchNorm-LeakyReLU layers (32 to 256 channels), a fifth to 512 maps, a one-channel spatial code at 1/32 of each side, the mirror decoder with a Sigmoid output. Loss as VanillaDenseVAE.",
                ["input_size", "recons_weight", "kl_weight"]),
            (shape, _, settings) => VanillaVariationalAutoEncoder.Spatial3D(shape, settings), shape => AtLeast(shape, 3, 32, "Vanilla3DspacialVAE"), Variational: true),
        ["CVAE_3D"] = new(DescribeAutoEncoder("CVAE_3D", "3D", "1 x 169 x 208 x 179 only (866 million parameters, 3.5 GB of float32 weights)",
                "VAE: three stride-2 conv(3)-BatchNorm-ReLU layers (32, 64, 128 channels), a dense code of latent_space_size (mean through tanh), FC to 256 maps, three stride-2 transposed conv layers back, a ReLU output. Its own loss: squared error summed per image + 5 x KL, whatever loss is configured.",
                ["latent_space_size"]),
            (_, _, settings) => ConvolutionalVariationalAutoEncoder.Full(settings),
            shape => shape.SequenceEqual(ConvolutionalVariationalAutoEncoder.FullShape) ? null : $"CVAE_3D takes only {string.Join("x", ConvolutionalVariationalAutoEncoder.FullShape)} images",
            Variational: true, OwnsLoss: true),
        ["CVAE_3D_half"] = new(DescribeAutoEncoder("CVAE_3D_half", "3D", ReducedShapesText,
                "VAE: three stride-2 conv(3)-BatchNorm-LeakyReLU layers (32, 64, 128 channels), a dense code of latent_space_size (mean through tanh), FC to 256 maps, three stride-2 transposed conv-BatchNorm-ReLU layers back, a Sigmoid output. Loss: reconstruction + kl_weight x KL.",
                ["size_reduction_factor", "latent_space_size", "recons_weight", "kl_weight"]),
            (shape, _, settings) => ConvolutionalVariationalAutoEncoder.Half(shape, settings), shape => ReducedShape(shape, "CVAE_3D_half"), Variational: true),
        ["CVAE_3D_final_conv"] = new(DescribeAutoEncoder("CVAE_3D_final_conv", "3D", ReducedShapesText,
                "As CVAE_3D_half with InstanceNorm, LeakyReLU in the decoder and a final conv(3) before the Sigmoid output.",
                ["size_reduction_factor", "latent_space_size", "recons_weight", "kl_weight"]),
            (shape, _, settings) => ConvolutionalVariationalAutoEncoder.FinalConvolution(shape, settings), shape => ReducedShape(shape, "CVAE_3D_final_conv"), Variational: true),
        ["GeneratorUNet"] = new(DescribeAutoEncoder("GeneratorUNet", "3D", "1 x D x H x W, each size a multiple of 32 (ClinicaDL writes it for 1 x 128 x 128 x 128)",
                "U-Net: five stride-2 conv-InstanceNorm-LeakyReLU blocks down (64 to 512 channels), four stride-2 transposed conv-InstanceNorm-ReLU blocks up with skip connections, upsampling, conv to one channel and Tanh. Loss against the input, as the autoencoders.", []),
            (_, _, _) => new GeneratorUNet(),
            shape => shape.Length == 4 && shape[0] == 1 && shape[1..].All(s => s > 0 && s % GeneratorUNet.SizeMultiple == 0) ? null
                : $"GeneratorUNet takes one-channel 3D images whose sizes are multiples of {GeneratorUNet.SizeMultiple} (its five halvings must meet its skip connections)"),
        [RandomArchitecture.Name] = new(new NetworkDescription
            {
                Name = RandomArchitecture.Name,
                Tasks = ["classification", "regression"],
                Dimensions = "2D/3D",
                InputShapes = "C x D x H x W or C x H x W",
                Parameters = ["convolutions_dict", "n_fcblocks", "network_normalization", "dropout", "input_size", "output_size"],
                Description = "ClinicaDL's random-search CNN, built from convolutions_dict (blocks conv0, conv1...: n_conv conv(3)-norm-LeakyReLU layers, halving by PadMaxPool or a stride-2 convolution), network_normalization (BatchNorm, InstanceNorm or none), then dropout and n_fcblocks Linear-LeakyReLU layers narrowing by a constant ratio to the output. A random search's trial gives these keys; train one with -ConfigPath.",
            },
            (shape, output, settings) => new RandomArchitecture(shape, output, settings), AnyImage),
    };

    private const string ReducedShapesText = "1 x 80 x 96 x 80, 1 x 56 x 64 x 56, 1 x 40 x 48 x 40 or 1 x 32 x 40 x 32 only (ClinicaDL's size_reduction_factor 2, 3, 4, 5)";

    public static IReadOnlyList<NetworkDescription> All => Entries.Values.Select(e => e.Description).ToList();

    public static IReadOnlyList<string> Names => Entries.Keys.ToList();

    public static bool Exists(string name) => Entries.ContainsKey(name);

    /// <summary>The architectures of a task (classification and regression: CNNs; reconstruction: autoencoders).</summary>
    public static IReadOnlyList<string> NamesFor(string task) => Entries.Where(e => e.Value.Description.Tasks.Contains(task)).Select(e => e.Key).ToList();

    /// <summary>Whether a network is a VAE, trained with ClinicaDL's VAE losses (false for an unknown name).</summary>
    public static bool IsVariational(string name) => Entries.TryGetValue(name, out var entry) && entry.Variational;

    /// <summary>Whether a network computes its own loss, whatever loss is configured (ClinicaDL's CVAE_3D).</summary>
    public static bool OwnsLoss(string name) => Entries.TryGetValue(name, out var entry) && entry.OwnsLoss;

    /// <summary>Builds a network with ClinicaDL's default settings but the dropout and code length; the shape is that of one sample, channels first.</summary>
    public static nn.Module<Tensor, Tensor> Create(string name, long[] inputShape, int outputSize, double dropout, int latentSpaceSize = 128) =>
        Create(name, inputShape, outputSize, new NetworkSettings { Dropout = dropout, LatentSpaceSize = latentSpaceSize });

    /// <summary>Builds a network; the shape is that of one sample, channels first.</summary>
    public static nn.Module<Tensor, Tensor> Create(string name, long[] inputShape, int outputSize, NetworkSettings settings)
    {
        if (!Entries.TryGetValue(name, out var entry))
        {
            throw new ArgumentException($"Unknown architecture '{name}'; known: {string.Join(", ", Entries.Keys)}.", nameof(name));
        }
        var problem = entry.Check(inputShape);
        if (problem is not null)
        {
            throw new ArgumentException($"{name} cannot take inputs of shape {string.Join("x", inputShape)}: {problem}.", nameof(inputShape));
        }
        // Building leaves temporaries behind (TorchSharp's convolution initialisation, one per layer) that only a
        // finalizer would free; parameters and buffers are not bound to dispose scopes, so a scope frees just those.
        using (NewDisposeScope())
        {
            return entry.Build(inputShape, outputSize, settings);
        }
    }

    /// <summary>
    /// Why a network's weights do not exchange with ClinicaDL's network of the same name (a model.pth.tar of one
    /// does not load into the other); null when they do, names and shapes alike (checked against ClinicaDL 1.6.1's
    /// own networks by the tests).
    /// </summary>
    public static string? ClinicaDlMismatch(string name, long[] inputShape) => name.ToUpperInvariant() switch
    {
        "AE_CONV5_FC3" or "AE_CONV4_FC3" when inputShape.Length == 3 =>
            "ClinicaDL's 2D autoencoder puts each BatchNorm before its transposed convolution, this module's after it (as in both tools' 3D autoencoders)",
        "CAE_HALF" => "ClinicaDL 1.6.1 cannot build its own CAE_half (its constructor fails), so it reads no CAE_half weights",
        "VANILLADENSEVAE" or "VANILLASPATIALVAE" => "ClinicaDL 1.6.1 cannot build its own 2D VAEs (its VAE_Encoder is called with input_size for input_shape, and its EncoderLayer2D gives Conv2d an output_padding), so it reads no such weights; these carry the names and shapes its constructor declares",
        "VANILLA3DSPACIALVAE" => "ClinicaDL 1.6.1 cannot build its own Vanilla3DspacialVAE (its decoder reads a fourth output padding from a list of three), so it reads no such weights; this one carries the names and shapes its constructor declares",
        _ when TorchScriptNetwork.IsTorchScript(name) => "a TorchScript model's weights are named by its own script (script.*), which no ClinicaDL network has; the MAPS keeps the archive itself",
        _ => null,
    };

    private static string? AtLeast(long[] shape, int dimensions, long side, string name) =>
        shape.Length == dimensions + 1 && shape.All(s => s > 0) && shape[1..].All(s => s >= side) ? null : $"{name} takes {dimensions}D images (channels then {dimensions} sizes), each side at least {side}";

    private static string? ReducedShape(long[] shape, string name) =>
        ConvolutionalVariationalAutoEncoder.ReducedShapes.Any(shape.SequenceEqual) ? null
            : $"{name} takes only {string.Join(", ", ConvolutionalVariationalAutoEncoder.ReducedShapes.Select(s => string.Join("x", s)))} images (169x208x179 with -SizeReduction -SizeReductionFactor 2 to 5, as ClinicaDL builds it)";

    private static string? AnyImage(long[] shape) =>
        shape.Length is 3 or 4 && shape.All(s => s > 0) ? null : "it needs channels then 2 or 3 spatial sizes (C x H x W or C x D x H x W)";

    private static NetworkDescription DescribeAutoEncoder(string name, string dimensions, string shapes, string description, string[]? parameters = null) => new()
    {
        Name = name,
        Tasks = ["reconstruction"],
        Dimensions = dimensions,
        InputShapes = shapes,
        Parameters = new(parameters ?? ["input_size"]),
        Description = description,
    };

    private static NetworkDescription Describe(string name, string dimensions, string shapes, string description, bool withDropout = true) => new()
    {
        Name = name,
        Tasks = ["classification", "regression"],
        Dimensions = dimensions,
        InputShapes = shapes,
        Parameters = withDropout ? ["input_size", "output_size", "dropout"] : ["output_size"],
        Description = description,
    };
}
