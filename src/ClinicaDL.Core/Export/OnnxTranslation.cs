using ClinicaDL.Core.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Export;

/// <summary>
/// The ONNX nodes of each layer and network of this module, in inference form: BatchNorm with its running
/// statistics, Dropout left out. The networks whose forward pass is more than their layers in order
/// (ConvolutionalAutoEncoder's pooling indices, the residual blocks' sums) are written as their forward passes
/// run; a layer with no translation here is refused, naming the network and the layer. Every size but the batch
/// is fixed: the shape after a layer is that of the layer's own output on a zero sample, so the graph needs no
/// shape inference of its own (a padding that depends on a size's parity is decided here).
/// </summary>
internal sealed class OnnxTranslation(OnnxGraph graph, string network)
{
    /// <summary>The network's raw outputs on <paramref name="input"/>.</summary>
    public OnnxValue Network(nn.Module<Tensor, Tensor> model, OnnxValue input) => model switch
    {
        ConvolutionalAutoEncoder autoEncoder => AutoEncoder(autoEncoder, input),
        // Conv5_FC3, Conv4_FC3 and Stride_Conv5_FC3 run their first convolution and their ReLU-pooling pairs in
        // faster forms that give the layer list's values (ConvolutionalNetwork.Features): the list is written.
        ConvolutionalNetwork or ResNet18 => Children(model, "", input, "convolutions", "fc"),
        // After a LeakyReLU, PadMaxPool's zero padding can be a window's maximum. The Pad-MaxPool nodes say so, but
        // ONNX Runtime's default optimisations fuse them into a MaxPool padding with -infinity (measured: outputs off
        // by 3e-3 at ORT_ENABLE_ALL, 3e-8 with optimisations off), so a MaxPooling RandomArchitecture is refused
        // rather than exported to give other values where it is most often run.
        RandomArchitecture when model.modules().OfType<PadMaxPool>().Any() =>
            throw Refuse("", model, "its MaxPooling blocks pad with zeros after a LeakyReLU, which ONNX Runtime's default Pad-MaxPool fusion turns into -infinity padding, changing the outputs; blocks with d_reduction \"stride\" export"),
        // Its blocks and classifier are layers in order; an InstanceNorm among them is refused by name below.
        RandomArchitecture => Children(model, "", input, "convolutions", "fc"),
        ResNet3D => Children(model, "", input, "convolutions", "fc"),
        // What its forward gives, a prediction: the target classifier (the domain head serves training only).
        DomainAdaptationNetwork => Children(model, "", input, "convolutions", "fc_class_target"),
        HalfConvolutionalAutoEncoder => Children(model, "", input, "encoder", "decoder"),
        Sequential sequential => Layer("", sequential, input),
        _ => throw Refuse("", model, "its forward pass is not one this module knows how to write as ONNX nodes"),
    };

    private OnnxValue Children(nn.Module parent, string path, OnnxValue input, params string[] names)
    {
        var current = input;
        foreach (var name in names)
        {
            current = Layer(Join(path, name), Child(parent, path, name), current);
        }
        return current;
    }

    private OnnxValue Layer(string path, nn.Module layer, OnnxValue input)
    {
        switch (layer)
        {
            case Sequential sequential:
                var current = input;
                foreach (var (name, child) in sequential.named_children())
                {
                    current = Layer(Join(path, name), child, current);
                }
                return current;
            case Convolution convolution:
                return Convolution(path, convolution, input);
            case BatchNorm norm:
                return BatchNormalization(path, norm, input);
            case ReLU:
                return Elementwise("Relu", path, input);
            case KeptLeakyReLU leaky:
                return Elementwise("LeakyRelu", path, input, OnnxAttribute.Float("alpha", leaky.NegativeSlope));
            case KeptELU elu:
                return Elementwise("Elu", path, input, OnnxAttribute.Float("alpha", elu.Alpha));
            case Dropout:
                // Inference: dropout is the identity.
                return input;
            case Flatten flatten:
                return Flatten(path, flatten, input);
            case Unflatten:
                // Reshape to the fixed sizes the layer gives, the batch (0) copied from the input.
                var unflattened = ShapeAfter(layer, input.Shape);
                return new OnnxValue(graph.Node("Reshape", path, [input.Name, graph.Int64s($"{path}.shape", [0, .. unflattened])]), unflattened);
            case Linear linear:
                return Gemm(path, linear, input);
            case MaxPool2d pool:
                return MaxPool(path, layer, input, pool.kernel_size, pool.stride, pool.padding, pool.dilation, pool.ceil_mode);
            case MaxPool3d pool:
                return MaxPool(path, layer, input, pool.kernel_size, pool.stride, pool.padding, pool.dilation, pool.ceil_mode);
            case AvgPool2d pool:
                return AveragePool(path, pool, input);
            case PadMaxPool:
                var (padded, _) = PadOddSizes(path, input);
                var pooled = graph.Node("MaxPool", path, [padded.Name], PoolingWindow(input.Shape.Length - 1));
                return new OnnxValue(pooled, ShapeAfter(layer, input.Shape));
            case ResNet18.BasicBlock block:
                return BasicBlock(path, block, input);
            case ResNet3D.ResidualBlock block:
                return ResidualBlock(path, block, input);
            case HalfConvolutionalAutoEncoder.NamedLayer named:
                return Children(named, path, input, "layer");
            default:
                throw Refuse(path, layer, "it has no ONNX translation in this module");
        }
    }

    /// <summary>
    /// AE_Conv5_FC3 / AE_Conv4_FC3 as their forward pass: each encoder block pools with indices after padding its
    /// odd sizes at their start; each decoder block unpools with those indices to the padded size (the shape
    /// taken from the padded tensor, so the batch stays dynamic), crops the padding, then runs its layers.
    /// </summary>
    private OnnxValue AutoEncoder(ConvolutionalAutoEncoder autoEncoder, OnnxValue input)
    {
        var encoder = ((Sequential)Child(autoEncoder, "", "encoder")).named_children().ToList();
        var decoder = ((Sequential)Child(autoEncoder, "", "decoder")).named_children().ToList();
        if (encoder.Count % 4 != 0 || decoder.Count != encoder.Count)
        {
            throw Refuse("encoder", autoEncoder, "its encoder and decoder are not the blocks of four layers this module builds");
        }
        var current = input;
        var pooled = new Stack<(string Indices, OnnxValue Padded, long[] Padding)>();
        for (var block = 0; block < encoder.Count / 4; block++)
        {
            for (var layer = 4 * block; layer < 4 * block + 3; layer++)
            {
                current = Layer($"encoder.{encoder[layer].name}", encoder[layer].module, current);
            }
            var poolPath = $"encoder.{encoder[4 * block + 3].name}";
            if (encoder[4 * block + 3].module is not ConvolutionalAutoEncoder.PoolingPlaceholder)
            {
                throw Refuse(poolPath, encoder[4 * block + 3].module, "the autoencoder's pooling steps must be its own placeholders");
            }
            var (padded, padding) = PadOddSizes(poolPath, current);
            var outputs = graph.Node("MaxPool", poolPath, [padded.Name], 2, PoolingWindow(padding.Length));
            pooled.Push((outputs[1], padded, padding));
            current = new OnnxValue(outputs[0], [padded.Shape[0], .. padded.Shape[1..].Select(size => size / 2)]);
        }
        for (var block = 0; block < decoder.Count / 4; block++)
        {
            var (indices, padded, padding) = pooled.Pop();
            var unpoolPath = $"decoder.{decoder[4 * block].name}";
            if (decoder[4 * block].module is not ConvolutionalAutoEncoder.PoolingPlaceholder)
            {
                throw Refuse(unpoolPath, decoder[4 * block].module, "the autoencoder's unpooling steps must be its own placeholders");
            }
            var size = graph.Node("Shape", $"{unpoolPath}.size", [padded.Name]);
            var unpooled = new OnnxValue(graph.Node("MaxUnpool", unpoolPath, [current.Name, indices, size], PoolingWindow(padding.Length)), padded.Shape);
            current = Crop(unpoolPath, unpooled, padding);
            for (var layer = 4 * block + 1; layer < 4 * block + 4; layer++)
            {
                current = Layer($"decoder.{decoder[layer].name}", decoder[layer].module, current);
            }
        }
        return current;
    }

    /// <summary>torchvision's BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), the shortcut the identity or downsample.</summary>
    private OnnxValue BasicBlock(string path, ResNet18.BasicBlock block, OnnxValue input)
    {
        var first = Elementwise("Relu", $"{path}.relu1", Children(block, path, input, "conv1", "bn1"));
        var main = Children(block, path, first, "conv2", "bn2");
        var shortcut = block.named_children().Any(c => c.name == "downsample") ? Children(block, path, input, "downsample") : input;
        return Elementwise("Relu", $"{path}.relu2", Sum(path, main, shortcut));
    }

    /// <summary>ResNet3D's block: elu(bn2(conv2(elu(bn1(conv1(x))))) + shortcut(x)), ELU with alpha 1 as its forward pass.</summary>
    private OnnxValue ResidualBlock(string path, ResNet3D.ResidualBlock block, OnnxValue input)
    {
        var alpha = OnnxAttribute.Float("alpha", 1.0);
        var first = Elementwise("Elu", $"{path}.elu1", Children(block, path, input, "conv1", "bn1"), alpha);
        var main = Children(block, path, first, "conv2", "bn2");
        var shortcut = Children(block, path, input, "shortcut");
        return Elementwise("Elu", $"{path}.elu2", Sum(path, main, shortcut), alpha);
    }

    private OnnxValue Convolution(string path, Convolution convolution, OnnxValue input)
    {
        if (convolution.padding_mode != PaddingModes.Zeros || convolution.padding is null)
        {
            throw Refuse(path, convolution, $"only zero padding of explicit sizes is written (this one pads {(convolution.padding is null ? "by a padding rule" : convolution.padding_mode.ToString())})");
        }
        var spatial = convolution.kernel_size.Length;
        var attributes = new List<OnnxAttribute>
        {
            OnnxAttribute.Ints("kernel_shape", convolution.kernel_size),
            OnnxAttribute.Ints("strides", convolution.stride),
            OnnxAttribute.Ints("pads", [.. convolution.padding, .. convolution.padding]),
            OnnxAttribute.Ints("dilations", convolution.dilation),
            OnnxAttribute.Int("group", convolution.groups),
        };
        if (convolution.transposed)
        {
            attributes.Add(OnnxAttribute.Ints("output_padding", convolution.output_padding ?? new long[spatial]));
        }
        var inputs = new List<string> { input.Name, graph.Weight($"{path}.weight", convolution.weight!) };
        if (convolution.bias is { } bias)
        {
            inputs.Add(graph.Weight($"{path}.bias", bias));
        }
        var node = graph.Node(convolution.transposed ? "ConvTranspose" : "Conv", path, inputs, [.. attributes]);
        return new OnnxValue(node, ShapeAfter(convolution, input.Shape));
    }

    /// <summary>BatchNorm in eval mode: the running mean and variance, the affine weight and bias (1 and 0 without them).</summary>
    private OnnxValue BatchNormalization(string path, BatchNorm norm, OnnxValue input)
    {
        if (!norm.track_running_stats || norm.running_mean is null || norm.running_var is null)
        {
            throw Refuse(path, norm, "it keeps no running statistics, so in inference it normalises by each batch's own, which ONNX's BatchNormalization does not do");
        }
        var channels = norm.num_features;
        var scale = norm.weight is { } weight ? graph.Weight($"{path}.weight", weight) : graph.Weight($"{path}.weight", [channels], Enumerable.Repeat(1f, (int)channels).ToArray());
        var shift = norm.bias is { } bias ? graph.Weight($"{path}.bias", bias) : graph.Weight($"{path}.bias", [channels], new float[channels]);
        var node = graph.Node("BatchNormalization", path,
            [input.Name, scale, shift, graph.Weight($"{path}.running_mean", norm.running_mean), graph.Weight($"{path}.running_var", norm.running_var)],
            OnnxAttribute.Float("epsilon", norm.eps));
        return input with { Name = node };
    }

    private OnnxValue Flatten(string path, Flatten flatten, OnnxValue input)
    {
        if (flatten.start_dim != 1 || flatten.end_dim != -1)
        {
            throw Refuse(path, flatten, $"only a flattening of every dimension after the batch is written (this one runs from {flatten.start_dim} to {flatten.end_dim})");
        }
        return new OnnxValue(graph.Node("Flatten", path, [input.Name], OnnxAttribute.Int("axis", 1)), [input.Shape.Aggregate(1L, (product, size) => product * size)]);
    }

    /// <summary>Linear on [batch, features]: Gemm(x, W, b) with W transposed, as PyTorch stores it [out, in].</summary>
    private OnnxValue Gemm(string path, Linear linear, OnnxValue input)
    {
        if (input.Shape.Length != 1)
        {
            throw Refuse(path, linear, $"only a linear layer on flat features [batch, features] is written (its input is [batch, {string.Join(", ", input.Shape)}])");
        }
        var inputs = new List<string> { input.Name, graph.Weight($"{path}.weight", linear.weight!) };
        if (linear.bias is { } bias)
        {
            inputs.Add(graph.Weight($"{path}.bias", bias));
        }
        return new OnnxValue(graph.Node("Gemm", path, inputs, OnnxAttribute.Int("transB", 1)), [linear.out_features]);
    }

    private OnnxValue MaxPool(string path, nn.Module layer, OnnxValue input, long[] kernel, long[]? stride, long[]? padding, long[]? dilation, bool ceilMode)
    {
        var spatial = kernel.Length;
        var pads = padding ?? new long[spatial];
        var node = graph.Node("MaxPool", path, [input.Name],
            OnnxAttribute.Ints("kernel_shape", kernel),
            OnnxAttribute.Ints("strides", stride ?? kernel),
            OnnxAttribute.Ints("pads", [.. pads, .. pads]),
            OnnxAttribute.Ints("dilations", dilation ?? Enumerable.Repeat(1L, spatial)),
            OnnxAttribute.Int("ceil_mode", ceilMode ? 1 : 0));
        return new OnnxValue(node, ShapeAfter(layer, input.Shape));
    }

    private OnnxValue AveragePool(string path, AvgPool2d pool, OnnxValue input)
    {
        if (pool.divisor_override is not null)
        {
            throw Refuse(path, pool, "ONNX's AveragePool has no divisor override");
        }
        var pads = pool.padding ?? new long[pool.kernel_size.Length];
        var node = graph.Node("AveragePool", path, [input.Name],
            OnnxAttribute.Ints("kernel_shape", pool.kernel_size),
            OnnxAttribute.Ints("strides", pool.stride ?? pool.kernel_size),
            OnnxAttribute.Ints("pads", [.. pads, .. pads]),
            OnnxAttribute.Int("ceil_mode", pool.ceil_mode ? 1 : 0),
            OnnxAttribute.Int("count_include_pad", pool.count_include_pad ? 1 : 0));
        return new OnnxValue(node, ShapeAfter(pool, input.Shape));
    }

    /// <summary>PadMaxPool's padding: one zero at the start of every odd spatial size (none: the input itself).</summary>
    private (OnnxValue Padded, long[] Padding) PadOddSizes(string path, OnnxValue input)
    {
        var padding = input.Shape[1..].Select(size => size % 2).ToArray();
        if (padding.All(p => p == 0))
        {
            return (input, padding);
        }
        // ONNX pads list every axis's start, then every axis's end: batch and channels first, never padded.
        var pads = graph.Int64s($"{path}.pads", [0, 0, .. padding, 0, 0, .. new long[padding.Length]]);
        var padded = graph.Node("Pad", $"{path}.pad", [input.Name, pads]);
        return (new OnnxValue(padded, [input.Shape[0], .. input.Shape[1..].Zip(padding, (size, pad) => size + pad)]), padding);
    }

    /// <summary>The inverse of <see cref="PadOddSizes"/>: drops the first voxel of every padded axis.</summary>
    private OnnxValue Crop(string path, OnnxValue input, long[] padding)
    {
        if (padding.All(p => p == 0))
        {
            return input;
        }
        var spatial = input.Shape[1..];
        var starts = graph.Int64s($"{path}.crop_starts", padding);
        var ends = graph.Int64s($"{path}.crop_ends", spatial);
        var axes = graph.Int64s($"{path}.crop_axes", [.. Enumerable.Range(2, padding.Length).Select(axis => (long)axis)]);
        var cropped = graph.Node("Slice", $"{path}.crop", [input.Name, starts, ends, axes]);
        return new OnnxValue(cropped, [input.Shape[0], .. spatial.Zip(padding, (size, pad) => size - pad)]);
    }

    /// <summary>The 2x2(x2) window and stride of PadMaxPool and of the autoencoder's pooling.</summary>
    private static OnnxAttribute[] PoolingWindow(int spatial) =>
        [OnnxAttribute.Ints("kernel_shape", Enumerable.Repeat(2L, spatial)), OnnxAttribute.Ints("strides", Enumerable.Repeat(2L, spatial))];

    private OnnxValue Elementwise(string operatorType, string path, OnnxValue input, params OnnxAttribute[] attributes) =>
        input with { Name = graph.Node(operatorType, path, [input.Name], attributes) };

    private OnnxValue Sum(string path, OnnxValue first, OnnxValue second) =>
        first with { Name = graph.Node("Add", $"{path}.add", [first.Name, second.Name]) };

    /// <summary>The shape of one sample after <paramref name="layer"/>: the layer's own output on a zero sample (the model is in eval mode).</summary>
    private static long[] ShapeAfter(nn.Module layer, long[] shape)
    {
        using var scope = NewDisposeScope();
        using var sample = zeros([1, .. shape]);
        return ((nn.Module<Tensor, Tensor>)layer).forward(sample).shape[1..];
    }

    private nn.Module Child(nn.Module parent, string path, string name) =>
        parent.named_children().FirstOrDefault(child => child.name == name).module
        ?? throw Refuse(path, parent, $"it has no layer named '{name}' where this module's {network} has one");

    private ModelExportException Refuse(string path, nn.Module layer, string reason) =>
        new(network, path, $"{network} cannot be exported to ONNX: {(path.Length == 0 ? "the network" : $"its layer '{path}'")} ({layer.GetType().Name}): {reason}.");

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
