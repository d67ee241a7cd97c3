using ClinicaDL.Core.Runtime;
using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// A network built from a <see cref="NetworkFile"/> for one input shape. Its modules are created in the file's
/// order (so a seed gives the same weights as a built-in network with the same layers in the same order) and named
/// as ClinicaDL names its CNNs' layers, blocks flattened: <c>convolutions.&lt;k&gt;</c> for the layers of the entries
/// before the first Flatten, <c>fc.&lt;k&gt;</c> for the rest (<c>layers.&lt;k&gt;</c> for all when there is no Flatten),
/// so a file listing Conv5_FC3's layers has Conv5_FC3's state dict and exchanges weights with it and with
/// ClinicaDL. Grad-CAM's feature layers are the top-level entries before the first Flatten.
/// </summary>
public sealed class FileNetwork : Module<Tensor, Tensor>, IFeatureNetwork
{
    private readonly NetworkFile _file;
    private readonly Module<Tensor, Tensor>[] _modules;
    private readonly long[][] _shapes;
    private readonly bool[] _depthStacked;
    private readonly int _featureEntries;

    internal FileNetwork(NetworkFile file, long[] inputShape, int outputSize, double dropout) : base(file.Name)
    {
        _file = file;
        var nodes = file.Nodes;
        _modules = new Module<Tensor, Tensor>[nodes.Count];
        _shapes = new long[nodes.Count][];
        _depthStacked = new bool[nodes.Count];
        foreach (var node in nodes)
        {
            var input = node.Input < 0 ? inputShape : _shapes[node.Input];
            if (node.Kind.Connects)
            {
                _modules[node.Index] = Identity();
                _shapes[node.Index] = Joined(node, input, node.From.Select(f => f < 0 ? inputShape : _shapes[f]).ToList());
                continue;
            }
            var module = node.Kind.Make(new NetworkFileLayers.Settings(node, input, outputSize, dropout, file.Path));
            _modules[node.Index] = module;
            _shapes[node.Index] = OutputShape(node, module, input);
            _depthStacked[node.Index] = module is Conv3d convolution && DepthStackable(convolution, node);
        }
        var output = _shapes[^1];
        var expected = file.Autoencoder ? inputShape : [outputSize];
        if (!output.SequenceEqual(expected))
        {
            var last = nodes[^1];
            throw new NetworkFileException(file.Path, file.Autoencoder
                ? $"an autoencoder gives back its input's shape {NetworkFileLayers.Shape(inputShape)}, but the last layer, {last.Where}, gives {NetworkFileLayers.Shape(output)}."
                : $"a classification or regression network ends with the task's {outputSize} output(s) (a last Linear with Out = 'output'), but the last layer, {last.Where}, gives {NetworkFileLayers.Shape(output)}.");
        }
        var flatten = nodes.FirstOrDefault(n => n.Kind.Name == "Flatten");
        _featureEntries = flatten?.Entry ?? 0;
        if (flatten is null)
        {
            register_module("layers", NetworkLayers.Indexed(_modules));
        }
        else
        {
            var split = nodes.First(n => n.Entry == flatten.Entry).Index;
            if (split > 0)
            {
                register_module("convolutions", NetworkLayers.Indexed(_modules[..split]));
            }
            register_module("fc", NetworkLayers.Indexed(_modules[split..]));
        }
    }

    /// <summary>Each layer's output shape (one sample, channels first), in the order of <see cref="NetworkFile"/>'s layers.</summary>
    internal IReadOnlyList<long[]> Shapes => _shapes;

    /// <summary>Each layer's module (Add and Concat: an identity placeholder).</summary>
    internal IReadOnlyList<Module<Tensor, Tensor>> Modules => _modules;

    public override Tensor forward(Tensor input) => Run(input, -1, 0, _file.Nodes.Count);

    public int FeatureLayerCount => _featureEntries;

    public Tensor Features(Tensor input, int level) => Run(input, -1, 0, EntryEnd(level));

    public Tensor Head(Tensor features, int level)
    {
        var start = EntryEnd(level);
        return Run(features, start - 1, start, _file.Nodes.Count);
    }

    /// <summary>One past the last layer of the first <paramref name="entries"/> top-level entries.</summary>
    private int EntryEnd(int entries) => _file.Nodes.Count(n => n.Entry < entries);

    /// <summary>
    /// Layers [from, to) on <paramref name="start"/>, the output of layer <paramref name="startNode"/> (-1: the
    /// network's input). Each output is freed after the last layer that reads it. As in
    /// <see cref="ConvolutionalNetwork.Features(Tensor)"/>, a one-channel 3x3x3 convolution runs depth-stacked and a
    /// ReLU read only by a PadMaxPool runs fused with it: same values, less time and memory.
    /// </summary>
    private Tensor Run(Tensor start, int startNode, int from, int to)
    {
        var nodes = _file.Nodes;
        var outputs = new Tensor?[nodes.Count + 1];
        var lastUse = Enumerable.Repeat(-1, nodes.Count + 1).ToArray();
        for (var index = from; index < to; index++)
        {
            foreach (var source in nodes[index].From.Append(nodes[index].Input))
            {
                if (source < from && source != startNode)
                {
                    throw new NetworkFileException(_file.Path, $"{nodes[index].Where} reads the output of {(source < 0 ? "the input" : nodes[source].Where)}, " +
                        $"before the feature layers end: Grad-CAM cannot start there; choose a level after the connection.");
                }
                lastUse[source + 1] = Math.Max(lastUse[source + 1], index);
            }
        }
        outputs[startNode + 1] = start.alias();
        if (from == to)
        {
            return outputs[startNode + 1]!;
        }
        for (var index = from; index < to; index++)
        {
            var node = nodes[index];
            var input = outputs[node.Input + 1]!;
            Tensor result;
            if (node.Kind.Name == "ReLU" && index + 1 < to && nodes[index + 1] is { Kind.Name: "PadMaxPool" } pool && pool.Input == index && lastUse[index + 1] == index + 1)
            {
                result = ((PadMaxPool)_modules[index + 1]).ForwardWithRelu(input);
                Release(outputs, lastUse, node.From.Append(node.Input), index + 1);
                index++;
            }
            else
            {
                result = node.Kind.Name switch
                {
                    "Add" => node.From.Aggregate(input.alias(), (sum, f) => { var next = sum.Plus(outputs[f + 1]!); sum.Dispose(); return next; }),
                    "Concat" => cat([input, .. node.From.Select(f => outputs[f + 1]!)], 1),
                    _ when _depthStacked[index] => DepthStackedConvolution.Forward((Conv3d)_modules[index], input),
                    _ => NetworkLayers.Forward(_modules[index], input),
                };
                Release(outputs, lastUse, node.From.Append(node.Input), index);
            }
            outputs[index + 1] = result;
            if (lastUse[index + 1] < 0 && index != to - 1)
            {
                // A layer no later layer reads (its next layer takes a named Input instead).
                result.Dispose();
                outputs[index + 1] = null;
            }
        }
        return outputs[to]!;
    }

    /// <summary>Frees the outputs read for the last time by layer <paramref name="index"/>.</summary>
    private static void Release(Tensor?[] outputs, int[] lastUse, IEnumerable<int> sources, int index)
    {
        foreach (var source in sources.Distinct())
        {
            if (lastUse[source + 1] <= index && outputs[source + 1] is { } done)
            {
                done.Dispose();
                outputs[source + 1] = null;
            }
        }
    }

    private long[] Joined(LayerNode node, long[] input, List<long[]> sources)
    {
        foreach (var (shape, index) in sources.Select((s, i) => (s, i)))
        {
            var fits = node.Kind.Name == "Add"
                ? shape.SequenceEqual(input)
                : shape.Length == input.Length && shape.Length >= 2 && shape.Skip(1).SequenceEqual(input.Skip(1));
            if (!fits)
            {
                var source = node.From[index] < 0 ? "the input" : _file.Nodes[node.From[index]].Where;
                throw new NetworkFileException(_file.Path, node.Kind.Name == "Add"
                    ? $"{node.Where}: Add needs equal shapes; it receives {NetworkFileLayers.Shape(input)} and {source} gives {NetworkFileLayers.Shape(shape)}."
                    : $"{node.Where}: Concat joins maps along channels, so their other sizes must agree; it receives {NetworkFileLayers.Shape(input)} and {source} gives {NetworkFileLayers.Shape(shape)}.");
            }
        }
        return node.Kind.Name == "Add" ? input : [input[0] + sources.Sum(s => s[0]), .. input.Skip(1)];
    }

    /// <summary>
    /// The layer's output shape for one sample: by formula where <see cref="LayerShapes"/> knows the layer, else found
    /// by running it on zeros in evaluation mode (which draws no random numbers).
    /// </summary>
    private long[] OutputShape(LayerNode node, Module<Tensor, Tensor> module, long[] input)
    {
        if (LayerShapes.Of(module, input) is { } shape)
        {
            return shape;
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        module.eval();
        try
        {
            return module.forward(zeros([1, .. input])).shape[1..];
        }
        catch (ExternalException error)
        {
            var message = error.Message.Split('\n')[0].Trim();
            throw new NetworkFileException(_file.Path, $"{node.Where} cannot take an input of shape {NetworkFileLayers.Shape(input)}: {message}", error);
        }
        finally
        {
            module.train();
        }
    }

    private static bool DepthStackable(Conv3d convolution, LayerNode node)
    {
        var settings = new NetworkFileLayers.Settings(node, [1, 1, 1, 1], 1, 0, "");
        return convolution.weight!.shape.Skip(1).SequenceEqual([1L, 3, 3, 3]) && settings.Triple("Stride", (1, 1, 1)) == (1, 1, 1) &&
            settings.Triple("Padding", (0, 0, 0)) == (1, 1, 1) && settings.Triple("Dilation", (1, 1, 1)) == (1, 1, 1) && settings.Whole("Groups", 1, 1) == 1;
    }
}
