using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Networks;

/// <summary>A network file built for one input shape: its layers with their output shapes, its size, and a training step's memory.</summary>
public sealed class NetworkSummary
{
    /// <summary>The tensors a training step keeps per parameter beside the parameter and its gradient, by optimiser (PyTorch's state).</summary>
    private static readonly Dictionary<string, int> OptimizerSlots = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Adam"] = 2, ["AdamW"] = 2, ["Adamax"] = 2, ["Adadelta"] = 2, ["RMSprop"] = 1, ["Adagrad"] = 1, ["SGD"] = 0,
    };

    /// <summary>What <see cref="TrainingStepBytes"/> counts, for the output object and the help.</summary>
    public const string MemoryIncludes =
        "float32 parameters, their gradients, the optimiser's state (Adam: 2 values per parameter) and, for the batch, the input and every layer's output " +
        "(kept for the backward pass); not counted: libtorch's temporary buffers, the memory of the data (images in memory) and the saving of the fused ReLU+PadMaxPool";

    public required string Name { get; init; }

    public required string Path { get; init; }

    public required ReadableList<string> Tasks { get; init; }

    public required ReadableList<long> InputShape { get; init; }

    public required ReadableList<long> OutputShape { get; init; }

    public required ReadableList<NetworkLayerSummary> Layers { get; init; }

    public required long ParameterCount { get; init; }

    public required int BatchSize { get; init; }

    public required string Optimizer { get; init; }

    /// <summary>The estimate of one training step's memory (see <see cref="Includes"/>).</summary>
    public required long TrainingStepBytes { get; init; }

    public double TrainingStepMB => TrainingStepBytes / 1e6;

    public string Includes => MemoryIncludes;

    internal static NetworkSummary Of(NetworkFile file, FileNetwork network, long[] inputShape, int batchSize, string optimizer)
    {
        if (!OptimizerSlots.TryGetValue(optimizer, out var slots))
        {
            throw new ArgumentException($"Unknown optimizer '{optimizer}'; known: {string.Join(", ", OptimizerSlots.Keys)}.", nameof(optimizer));
        }
        if (batchSize < 1)
        {
            throw new ArgumentException($"The batch size is at least 1; got {batchSize}.", nameof(batchSize));
        }
        var layers = file.Nodes.Select(node => new NetworkLayerSummary
        {
            Index = node.Index,
            Entry = node.Entry,
            Where = node.Where,
            Layer = node.Kind.Name,
            Name = node.Settings.TryGetValue("Name", out var name) ? name?.ToString() : null,
            OutputShape = new(network.Shapes[node.Index], "x"),
            Parameters = network.Modules[node.Index].parameters(recurse: false).Sum(p => p.numel()),
        }).ToList();
        var parameters = network.parameters().Sum(p => p.numel());
        // Flatten and Identity give views of their input: they keep nothing of their own.
        var kept = file.Nodes.Where(n => n.Kind.Name is not ("Flatten" or "Identity")).Sum(n => Count(network.Shapes[n.Index])) + Count(inputShape);
        return new NetworkSummary
        {
            Name = file.Name,
            Path = file.Path,
            Tasks = new(file.Tasks),
            InputShape = new(inputShape, "x"),
            OutputShape = new(network.Shapes[^1], "x"),
            Layers = new(layers),
            ParameterCount = parameters,
            BatchSize = batchSize,
            Optimizer = OptimizerSlots.Keys.First(k => k.Equals(optimizer, StringComparison.OrdinalIgnoreCase)),
            TrainingStepBytes = sizeof(float) * ((2 + slots) * parameters + batchSize * kept),
        };
    }

    private static long Count(long[] shape) => shape.Aggregate(1L, (product, size) => product * size);
}

/// <summary>One layer of a <see cref="NetworkSummary"/>.</summary>
public sealed class NetworkLayerSummary
{
    /// <summary>The layer's position once blocks are expanded (the order in which layers run).</summary>
    public required int Index { get; init; }

    /// <summary>The top-level entry (a layer, or one copy of a block) it belongs to; Grad-CAM's levels count entries.</summary>
    public required int Entry { get; init; }

    /// <summary>Where it is in the file (Layers[2] (block 'ConvBlock', copy 3 of 5), its Layers[0] (Conv)).</summary>
    public required string Where { get; init; }

    public required string Layer { get; init; }

    public string? Name { get; init; }

    public required ReadableList<long> OutputShape { get; init; }

    public required long Parameters { get; init; }

    public override string ToString() => $"{Index} {Layer} -> {OutputShape}";
}
