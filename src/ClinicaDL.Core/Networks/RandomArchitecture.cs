using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// ClinicaDL's RandomArchitecture (clinicadl/utils/network/cnn/random.py), the CNN its random search samples, built
/// from convolutions_dict, n_fcblocks, network_normalization and dropout. <c>convolutions</c> holds one block per
/// convolutions_dict entry under its name (conv0, conv1...): n_conv - 1 conv(3)-norm-LeakyReLU layers keeping the
/// channels, then conv(3) to out_channels-norm-LeakyReLU followed by PadMaxPool ("MaxPooling") or with stride 2
/// ("stride"); norm is BatchNorm, InstanceNorm (no affine weights, no running statistics, as PyTorch's default) or
/// none. <c>fc</c> is Flatten, Dropout, then FC0, FC1... each a Linear followed by LeakyReLU but the last, sized by
/// ClinicaDL's fc_dict_design. The names are ClinicaDL's (convolutions.conv0.0.weight, fc.FC0.0.weight), so weights
/// exchange with ClinicaDL.
/// </summary>
public sealed class RandomArchitecture : Module<Tensor, Tensor>, IFeatureNetwork
{
    public const string Name = "RandomArchitecture";

    /// <summary>network_normalization's values besides null (none), as ClinicaDL spells them.</summary>
    public static readonly string[] Normalizations = ["BatchNorm", "InstanceNorm"];

    /// <summary>PyTorch's nn.LeakyReLU() slope, which ClinicaDL uses throughout.</summary>
    private const double LeakySlope = 0.01;

    private readonly Sequential convolutions;
    private readonly Sequential fc;
    private readonly Module<Tensor, Tensor>[] blocks;

    internal RandomArchitecture(long[] inputShape, int outputSize, NetworkSettings settings) : base(Name)
    {
        var convolutionBlocks = settings.ConvolutionBlocks ?? throw Missing();
        var fcBlocks = settings.FullyConnectedBlocks ?? throw Missing();
        if (settings.NetworkNormalization is { } normalization && !Normalizations.Contains(normalization, StringComparer.Ordinal))
        {
            throw new ArgumentException($"network_normalization must be {string.Join(", ", Normalizations)} or null (none), as ClinicaDL spells them; got '{normalization}'.", "network_normalization");
        }
        if (outputSize < 1)
        {
            throw new ArgumentException($"RandomArchitecture needs at least one output (the classes, or 1 for regression); got {outputSize}.", nameof(outputSize));
        }
        if (fcBlocks < 1)
        {
            throw new ArgumentException($"n_fcblocks must be at least 1 (the last block gives the outputs); got {fcBlocks}.", "n_fcblocks");
        }
        if (settings.NetworkNormalization == "InstanceNorm" && OneVoxelInstanceNorm(convolutionBlocks, inputShape) is { } degenerate)
        {
            // PyTorch's Python layer refuses this; libtorch's instance_norm silently gives zeros, a network that learns nothing.
            throw new ArgumentException($"convolutions_dict.{degenerate.Name}: InstanceNorm normalises each channel over its feature map, which is a single voxel there " +
                $"(inputs of shape {string.Join("x", inputShape)}): use fewer blocks, larger inputs, or network_normalization BatchNorm or none.", ConvolutionBlock.Key);
        }
        var dimensions = inputShape.Length - 1;
        var named = new List<(string, Module<Tensor, Tensor>)>();
        var channels = inputShape[0];
        foreach (var block in convolutionBlocks)
        {
            var input = block.InChannels ?? inputShape[0];
            if (input != channels)
            {
                throw new ArgumentException(block.InChannels is null
                    ? $"convolutions_dict.{block.Name}: in_channels null means the input's {inputShape[0]} channels, but the previous block gives {channels}: give in_channels {channels}."
                    : $"convolutions_dict.{block.Name}: in_channels is {input}, but the input has {channels} channels (inputs of shape {string.Join("x", inputShape)}): give null (the input's channels) or {channels}.",
                    ConvolutionBlock.Key);
            }
            named.Add((block.Name, Block(dimensions, block, input, settings.NetworkNormalization)));
            channels = block.OutChannels;
        }
        blocks = [.. named.Select(n => n.Item2)];
        convolutions = Sequential([.. named]);
        fc = Classifier(FullyConnectedDesign(fcBlocks, convolutionBlocks[^1].OutChannels, convolutionBlocks.Count, inputShape, outputSize), settings.Dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var features = NetworkLayers.Run(blocks, input, 0, blocks.Length);
        return fc.forward(features);
    }

    /// <summary>The blocks of convolutions_dict, as ClinicaDL's Grad-CAM levels count them (level n: after convolutions[:n]).</summary>
    public int FeatureLayerCount => blocks.Length;

    public Tensor Features(Tensor input, int level) => NetworkLayers.Run(blocks, input, 0, level);

    public Tensor Head(Tensor features, int level)
    {
        using var last = NetworkLayers.Run(blocks, features, level, blocks.Length);
        return fc.forward(last);
    }

    /// <summary>
    /// ClinicaDL's fc_dict_design: the flattened features are out_channels x the product of ceil(size / 2^blocks)
    /// (each block halves a size rounding up, by PadMaxPool or by its stride-2 convolution); the widths fall by a
    /// constant ratio (features / outputs)^(1 / n_fcblocks) from the features to the outputs, each rounded half to
    /// even as numpy's round. In double precision, as numpy computes it, so the widths are ClinicaDL's.
    /// </summary>
    public static IReadOnlyList<(long In, long Out)> FullyConnectedDesign(int fcBlocks, long lastChannels, int convolutionBlocks, long[] inputShape, int outputSize)
    {
        var scale = Math.Pow(2, convolutionBlocks);
        double features = lastChannels;
        foreach (var size in inputShape[1..])
        {
            features *= Math.Ceiling(size / scale);
        }
        var ratio = Math.Pow(features / outputSize, 1.0 / fcBlocks);
        var layers = new List<(long, long)>();
        for (var i = 0; i < fcBlocks; i++)
        {
            var output = features / ratio;
            layers.Add(((long)Math.Round(features, MidpointRounding.ToEven), (long)Math.Round(output, MidpointRounding.ToEven)));
            features = output;
        }
        return layers;
    }

    /// <summary>The first block with an InstanceNorm over a one-voxel map: its stride-2 convolution's output, or the map it keeps before pooling.</summary>
    private static ConvolutionBlock? OneVoxelInstanceNorm(IReadOnlyList<ConvolutionBlock> blocks, long[] inputShape)
    {
        var sizes = inputShape[1..];
        foreach (var block in blocks)
        {
            var normalised = block.DimensionReduction == ConvolutionBlock.Stride ? sizes.Select(size => (size + 1) / 2).ToArray() : sizes;
            if (normalised.All(size => size == 1) || (block.ConvolutionCount > 1 && sizes.All(size => size == 1)))
            {
                return block;
            }
            sizes = sizes.Select(size => (size + 1) / 2).ToArray();
        }
        return null;
    }

    private static ArgumentException Missing() => new(
        $"RandomArchitecture is built from convolutions_dict and n_fcblocks, which the configuration does not give (a random search's trial has them; e.g. {ConvolutionBlock.Key} = {ConvolutionBlock.Example} and n_fcblocks = 2).",
        ConvolutionBlock.Key);

    private static Sequential Block(int dimensions, ConvolutionBlock block, long input, string? normalization)
    {
        var layers = new List<Module<Tensor, Tensor>>();
        for (var i = 0; i < block.ConvolutionCount - 1; i++)
        {
            AddConvolution(layers, dimensions, input, input, 1, normalization);
        }
        var stride = block.DimensionReduction == ConvolutionBlock.Stride ? 2 : 1;
        AddConvolution(layers, dimensions, input, block.OutChannels, stride, normalization);
        if (block.DimensionReduction == ConvolutionBlock.MaxPooling)
        {
            // After a LeakyReLU the zero PadMaxPool puts before an odd size can be the window's maximum, so the
            // pooling runs as ClinicaDL's (pad, then pool), not as ConvolutionalNetwork's ReLU-pooling shortcut.
            layers.Add(new PadMaxPool(dimensions));
        }
        return NetworkLayers.Indexed([.. layers]);
    }

    private static void AddConvolution(List<Module<Tensor, Tensor>> layers, int dimensions, long input, long output, long stride, string? normalization)
    {
        layers.Add(NetworkLayers.Convolution(dimensions, input, output, stride: stride));
        switch (normalization)
        {
            case "BatchNorm":
                layers.Add(NetworkLayers.BatchNorm(dimensions, output));
                break;
            case "InstanceNorm":
                layers.Add(dimensions == 3 ? InstanceNorm3d(output) : InstanceNorm2d(output));
                break;
        }
        layers.Add(new KeptLeakyReLU(LeakySlope));
    }

    private static Sequential Classifier(IReadOnlyList<(long In, long Out)> design, double dropout)
    {
        var children = new List<(string, Module<Tensor, Tensor>)> { ("0", Flatten()), ("1", Dropout(dropout)) };
        for (var i = 0; i < design.Count; i++)
        {
            var linear = Linear(design[i].In, design[i].Out);
            children.Add(($"FC{i.ToString(CultureInfo.InvariantCulture)}", i == design.Count - 1 ? NetworkLayers.Indexed(linear) : NetworkLayers.Indexed(linear, new KeptLeakyReLU(LeakySlope))));
        }
        return Sequential([.. children]);
    }
}
