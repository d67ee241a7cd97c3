using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// The layer kinds of a network file, their keywords (PyTorch's arguments, in the field's words, with PyTorch's
/// defaults) and how each is built for the shape it receives. Input channels and features are always taken from
/// that shape; a kind without 2d/3d picks the dimension from it.
/// </summary>
internal static class NetworkFileLayers
{
    /// <summary>A layer kind: its name, the keywords it takes, and how it is made.</summary>
    internal sealed record Kind(string Name, int? Dimensions, string[] Keywords, Func<Settings, Module<Tensor, Tensor>> Make, bool Connects = false);

    private static readonly string[] Common = ["Layer", "Name", "Input"];
    private static readonly string[] ConvolutionKeys = ["Channels", "Kernel", "Stride", "Padding", "Dilation", "Groups", "Bias"];
    private static readonly string[] TransposedKeys = ["Channels", "Kernel", "Stride", "Padding", "OutputPadding", "Dilation", "Bias"];
    private static readonly string[] NormKeys = ["Eps", "Momentum"];
    private static readonly string[] PoolKeys = ["Kernel", "Stride", "Padding"];

    private static readonly Kind[] All =
    [
        .. Dimensional("Conv", ConvolutionKeys, Convolution),
        .. Dimensional("ConvTranspose", TransposedKeys, TransposedConvolution),
        .. Dimensional("BatchNorm", NormKeys, s => s.Spatial == 3
            ? BatchNorm3d(s.Channels, s.Real("Eps", 1e-5), s.Real("Momentum", 0.1))
            : BatchNorm2d(s.Channels, s.Real("Eps", 1e-5), s.Real("Momentum", 0.1))),
        .. Dimensional("InstanceNorm", [.. NormKeys, "Affine", "TrackRunningStats"], s => s.Spatial == 3
            ? InstanceNorm3d(s.Channels, s.Real("Eps", 1e-5), s.Real("Momentum", 0.1), s.Flag("Affine", false), s.Flag("TrackRunningStats", false))
            : InstanceNorm2d(s.Channels, s.Real("Eps", 1e-5), s.Real("Momentum", 0.1), s.Flag("Affine", false), s.Flag("TrackRunningStats", false))),
        new("GroupNorm", null, ["Groups", "Eps", "Affine"], GroupNormalization),
        new("ReLU", null, [], _ => ReLU()),
        new("LeakyReLU", null, ["Slope"], s => new KeptLeakyReLU(s.Real("Slope", 0.01))),
        new("ELU", null, ["Alpha"], s => new KeptELU(s.Real("Alpha", 1.0))),
        new("GELU", null, [], _ => GELU()),
        new("Sigmoid", null, [], _ => Sigmoid()),
        new("Tanh", null, [], _ => Tanh()),
        .. Dimensional("MaxPool", PoolKeys, s => s.Spatial == 3
            ? MaxPool3d(s.Triple("Kernel", null), s.Triple("Stride", s.Triple("Kernel", null)), s.Triple("Padding", (0, 0, 0)))
            : MaxPool2d(s.Pair("Kernel", null), s.Pair("Stride", s.Pair("Kernel", null)), s.Pair("Padding", (0, 0)))),
        .. Dimensional("AvgPool", PoolKeys, s => s.Spatial == 3
            ? AvgPool3d(s.Triple("Kernel", null), s.Triple("Stride", s.Triple("Kernel", null)), s.Triple("Padding", (0, 0, 0)))
            : AvgPool2d(s.Pair("Kernel", null), s.Pair("Stride", s.Pair("Kernel", null)), s.Pair("Padding", (0, 0)))),
        new("PadMaxPool", null, [], s => new PadMaxPool(s.Spatial)),
        .. Dimensional("AdaptiveAvgPool", ["Size"], s => s.Spatial == 3 ? AdaptiveAvgPool3d(s.Triple("Size", null)) : AdaptiveAvgPool2d(s.Pair("Size", null))),
        new("Dropout", null, ["P"], s => Dropout(s.Probability("P", s.Dropout))),
        new("Flatten", null, [], _ => Flatten()),
        new("Linear", null, ["In", "Out", "Bias"], FullyConnected),
        new("Softmax", null, ["Dim"], s => Softmax(s.Whole("Dim", 1, -8))),
        new("Identity", null, [], _ => Identity()),
        new("Add", null, ["From"], _ => Identity(), Connects: true),
        new("Concat", null, ["From"], _ => Identity(), Connects: true),
    ];

    private static readonly Dictionary<string, Kind> ByName = All.ToDictionary(k => k.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The names of the layer kinds, for messages and help.</summary>
    public static IReadOnlyList<string> Names => All.Select(k => k.Name).ToList();

    /// <summary>The kind of a layer table, after checking that every keyword is one the kind takes.</summary>
    public static Kind Check(IReadOnlyDictionary<string, JsonNode?> layer, string where, string path)
    {
        if (!layer.TryGetValue("Layer", out var named) || named is not JsonValue value || !value.TryGetValue<string>(out var name))
        {
            throw new NetworkFileException(path, $"{where}: each layer names its kind with Layer = '...' (or uses a Block = '...'); known kinds: {NetworkFile.Listed(Names)}.");
        }
        if (!ByName.TryGetValue(name, out var kind))
        {
            throw new NetworkFileException(path, $"{where}: unknown layer '{name}'; known kinds: {NetworkFile.Listed(Names)}.");
        }
        var allowed = Common.Concat(kind.Keywords).ToList();
        foreach (var key in layer.Keys.Where(k => !allowed.Contains(k, StringComparer.OrdinalIgnoreCase)))
        {
            throw new NetworkFileException(path, $"{where} ({kind.Name}): unknown keyword '{key}'; {kind.Name} takes {NetworkFile.Listed(allowed)}.");
        }
        return kind;
    }

    private static IEnumerable<Kind> Dimensional(string name, string[] keywords, Func<Settings, Module<Tensor, Tensor>> make) =>
        [new(name, null, keywords, make), new(name + "2d", 2, keywords, make), new(name + "3d", 3, keywords, make)];

    private static Module<Tensor, Tensor> Convolution(Settings s)
    {
        var (output, bias, groups) = (s.Whole("Channels", null, 1), s.Flag("Bias", true), s.Whole("Groups", 1, 1));
        return s.Spatial == 3
            ? Conv3d(s.Channels, output, s.Triple("Kernel", null), s.Triple("Stride", (1, 1, 1)), s.Triple("Padding", (0, 0, 0)), s.Triple("Dilation", (1, 1, 1)), groups: groups, bias: bias)
            : Conv2d(s.Channels, output, s.Pair("Kernel", null), s.Pair("Stride", (1, 1)), s.Pair("Padding", (0, 0)), s.Pair("Dilation", (1, 1)), groups: groups, bias: bias);
    }

    /// <summary>
    /// Through <see cref="Networks.TransposedConvolution"/>, not TorchSharp's modules, which apply the first axis's
    /// output padding to every axis, and whose stride-1 3D form libtorch 2.10 computes wrongly for batches of 2 or
    /// more; that layer takes one kernel, stride and padding for all axes, and no dilation.
    /// </summary>
    private static Module<Tensor, Tensor> TransposedConvolution(Settings s)
    {
        var (output, bias) = (s.Whole("Channels", null, 1), s.Flag("Bias", true));
        var axes = s.Spatial;
        var kernel = s.Sizes("Kernel", null, axes);
        var stride = s.Sizes("Stride", [.. Enumerable.Repeat(1L, axes)], axes);
        var padding = s.Sizes("Padding", [.. Enumerable.Repeat(0L, axes)], axes);
        var outputPadding = s.Sizes("OutputPadding", [.. Enumerable.Repeat(0L, axes)], axes);
        var dilation = s.Sizes("Dilation", [.. Enumerable.Repeat(1L, axes)], axes);
        foreach (var (key, sizes) in new[] { ("Kernel", kernel), ("Stride", stride), ("Padding", padding) })
        {
            if (sizes.Distinct().Count() > 1)
            {
                throw s.Error($"{key}: a transposed convolution takes one {key} for every axis here (got {string.Join(", ", sizes)}); OutputPadding may differ between axes");
            }
        }
        if (dilation.Any(d => d != 1))
        {
            throw s.Error($"Dilation: a transposed convolution takes no dilation here (got {string.Join(", ", dilation)})");
        }
        if (outputPadding.Any(p => p >= stride[0]))
        {
            throw s.Error($"OutputPadding: each must be smaller than the stride ({stride[0]}); got {string.Join(", ", outputPadding)}");
        }
        return new Networks.TransposedConvolution(s.Channels, output, kernel[0], stride[0], padding[0], outputPadding, bias);
    }

    private static Module<Tensor, Tensor> GroupNormalization(Settings s)
    {
        var groups = s.Whole("Groups", null, 1);
        return s.Channels % groups == 0
            ? GroupNorm(groups, s.Channels, s.Real("Eps", 1e-5), s.Flag("Affine", true))
            : throw s.Error($"Groups = {groups} must divide the {s.Channels} channels it receives");
    }

    private static Module<Tensor, Tensor> FullyConnected(Settings s)
    {
        if (s.Input.Length != 1)
        {
            throw s.Error($"Linear takes flat features but receives {Shape(s.Input)}: put a Flatten before it");
        }
        var features = s.Input[0];
        if (s.Has("In") && !s.IsAuto("In") && s.Whole("In", null, 1) != features)
        {
            throw s.Error($"In = {s.Whole("In", null, 1)} but the layer receives {features} features (write In = 'auto' or -1 to take them from the data)");
        }
        var output = s.IsOutput("Out") ? s.OutputSize : s.Whole("Out", null, 1);
        return Linear(features, output, s.Flag("Bias", true));
    }

    internal static string Shape(long[] shape) => shape.Length == 0 ? "a scalar" : string.Join("x", shape);

    /// <summary>A layer's settings, read with its block parameters substituted, for the shape it receives.</summary>
    internal sealed class Settings(LayerNode node, long[] input, int outputSize, double dropout, string path)
    {
        public long[] Input => input;

        public int OutputSize => outputSize;

        /// <summary>The training configuration's dropout: a Dropout without P uses it.</summary>
        public double Dropout => dropout;

        /// <summary>The channels the layer receives.</summary>
        public long Channels => input.Length >= 2 ? input[0] : throw Error($"{node.Kind.Name} takes channels then spatial axes but receives {Shape(input)}");

        /// <summary>2 or 3: the kind's own, which must match the input, or the input's.</summary>
        public int Spatial
        {
            get
            {
                var spatial = input.Length - 1;
                if (node.Kind.Dimensions is { } wanted && wanted != spatial)
                {
                    throw Error($"{node.Kind.Name} takes {wanted}D maps (channels then {wanted} axes) but receives {Shape(input)}");
                }
                return spatial is 2 or 3 ? spatial : throw Error($"{node.Kind.Name} takes channels then 2 or 3 spatial axes but receives {Shape(input)}");
            }
        }

        public NetworkFileException Error(string problem) => new(path, $"{node.Where}: {problem}.");

        public bool Has(string key) => node.Settings.ContainsKey(key);

        public bool IsAuto(string key) => node.Settings.TryGetValue(key, out var value) && value is JsonValue v &&
            ((v.TryGetValue<string>(out var text) && text.Equals("auto", StringComparison.OrdinalIgnoreCase)) || (v.TryGetValue<long>(out var number) && number == -1));

        public bool IsOutput(string key) => node.Settings.TryGetValue(key, out var value) && value is JsonValue v &&
            v.TryGetValue<string>(out var text) && text.Equals("output", StringComparison.OrdinalIgnoreCase);

        public long Whole(string key, long? fallback, long minimum)
        {
            if (!node.Settings.TryGetValue(key, out var value))
            {
                return fallback ?? throw Error($"{key} is required (a whole number of at least {minimum})");
            }
            return value is JsonValue v && v.TryGetValue<long>(out var number) && number >= minimum ? number
                : throw Error($"{key}: expected a whole number of at least {minimum}{(key == "Out" ? ", or 'output' (the task's outputs)" : "")}; got {NetworkFile.Shown(value)}");
        }

        public double Real(string key, double fallback)
        {
            if (!node.Settings.TryGetValue(key, out var value))
            {
                return fallback;
            }
            return value is JsonValue v && v.TryGetValue<double>(out var number) && double.IsFinite(number) ? number
                : value is JsonValue w && w.TryGetValue<long>(out var whole) ? whole
                : throw Error($"{key}: expected a number; got {NetworkFile.Shown(value)}");
        }

        public double Probability(string key, double fallback)
        {
            var p = Real(key, fallback);
            return p is >= 0 and < 1 ? p : throw Error($"{key}: expected a probability in [0, 1); got {p}");
        }

        public bool Flag(string key, bool fallback)
        {
            if (!node.Settings.TryGetValue(key, out var value))
            {
                return fallback;
            }
            return value is JsonValue v && v.TryGetValue<bool>(out var flag) ? flag : throw Error($"{key}: expected $true or $false; got {NetworkFile.Shown(value)}");
        }

        /// <summary>One size per spatial axis: a number (the same on each) or a list of as many numbers as axes.</summary>
        public long[] Sizes(string key, long[]? fallback, int axes)
        {
            if (!node.Settings.TryGetValue(key, out var value))
            {
                return fallback ?? throw Error($"{key} is required (a number, or {axes} numbers)");
            }
            long[]? sizes = value switch
            {
                JsonValue v when v.TryGetValue<long>(out var one) => Enumerable.Repeat(one, axes).ToArray(),
                JsonArray list when list.Count == axes && list.All(i => i is JsonValue n && n.TryGetValue<long>(out _)) => list.Select(i => i!.GetValue<long>()).ToArray(),
                _ => null,
            };
            var minimum = key is "Padding" or "OutputPadding" ? 0 : 1;
            return sizes is not null && sizes.All(s => s >= minimum) ? sizes
                : throw Error($"{key}: expected a whole number of at least {minimum}, or {axes} of them (one per spatial axis); got {NetworkFile.Shown(value)}");
        }

        public (long, long, long) Triple(string key, (long, long, long)? fallback)
        {
            var sizes = Sizes(key, fallback is { } f ? [f.Item1, f.Item2, f.Item3] : null, 3);
            return (sizes[0], sizes[1], sizes[2]);
        }

        public (long, long) Pair(string key, (long, long)? fallback)
        {
            var sizes = Sizes(key, fallback is { } f ? [f.Item1, f.Item2] : null, 2);
            return (sizes[0], sizes[1]);
        }
    }
}
