using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// The architectures by ClinicaDL name. Each builds itself for an input shape (channels first, no batch) and
/// an output size, and refuses a shape it cannot take, saying which it needs.
/// </summary>
public static class NetworkRegistry
{
    private sealed record Entry(NetworkDescription Description, Func<long[], int, NetworkSettings, nn.Module<Tensor, Tensor>> Build, Func<long[], string?> Check);

    /// <summary>The architecture settings of ClinicaDL's configuration that some networks take.</summary>
    private sealed record NetworkSettings(double Dropout, int LatentSpaceSize);

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
    };

    public static IReadOnlyList<NetworkDescription> All => Entries.Values.Select(e => e.Description).ToList();

    public static IReadOnlyList<string> Names => Entries.Keys.ToList();

    public static bool Exists(string name) => Entries.ContainsKey(name);

    /// <summary>The architectures of a task (classification and regression: CNNs; reconstruction: autoencoders).</summary>
    public static IReadOnlyList<string> NamesFor(string task) => Entries.Where(e => e.Value.Description.Tasks.Contains(task)).Select(e => e.Key).ToList();

    /// <summary>Builds a network; the shape is that of one sample, channels first.</summary>
    public static nn.Module<Tensor, Tensor> Create(string name, long[] inputShape, int outputSize, double dropout, int latentSpaceSize = 128)
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
            return entry.Build(inputShape, outputSize, new NetworkSettings(dropout, latentSpaceSize));
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
        _ => null,
    };

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
