using System.Runtime.InteropServices;
using ClinicaDL.Core.IO;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Export;

/// <summary>
/// An ONNX graph being built, then written as a ModelProto: nodes in execution order, weights and constants as
/// initializers (raw little-endian data), the input <c>input</c> and the output <c>output</c> with a dynamic
/// batch dimension named <c>batch</c>. Every value, node and initializer name is unique.
/// </summary>
internal sealed class OnnxGraph : IDisposable
{
    public const string InputName = "input";
    public const string OutputName = "output";

    /// <summary>The operator set of the default domain the graph's nodes follow.</summary>
    public const int Opset = 17;

    /// <summary>The IR version released with opset 17 (ONNX 1.12), which every runtime reading opset 17 reads.</summary>
    private const long IrVersion = 8;

    private const string BatchDimension = "batch";

    private readonly List<ProtobufMessage> _nodes = [];
    private readonly List<ProtobufMessage> _initializers = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal) { InputName, OutputName };

    /// <summary>A float initializer holding a tensor's values (parameters and buffers, copied from any device).</summary>
    public string Weight(string name, Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var values = tensor.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        return Weight(name, tensor.shape, values);
    }

    public string Weight(string name, long[] shape, float[] values) =>
        Initializer(name, OnnxProto.Tensor.Float, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>A one-dimensional int64 constant (pads, shapes, slice bounds).</summary>
    public string Int64s(string name, params long[] values) =>
        Initializer(name, OnnxProto.Tensor.Int64, [values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>Adds a node; its outputs are named after it (name, or name:0, name:1... for several).</summary>
    public string[] Node(string operatorType, string name, IReadOnlyList<string> inputs, int outputs, params OnnxAttribute[] attributes)
    {
        name = Unique(name);
        var outputNames = outputs == 1 ? [name] : Enumerable.Range(0, outputs).Select(o => Unique($"{name}:{o}")).ToArray();
        AddNode(operatorType, name, inputs, outputNames, attributes);
        return outputNames;
    }

    public string Node(string operatorType, string name, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes) =>
        Node(operatorType, name, inputs, 1, attributes)[0];

    /// <summary>
    /// Writes the model: this graph with <paramref name="result"/> as its output (through an Identity node, so the
    /// output is always named <c>output</c>), and the metadata as ModelProto's metadata_props.
    /// </summary>
    public void Write(Stream destination, string graphName, OnnxValue input, OnnxValue result, IReadOnlyDictionary<string, string> metadata)
    {
        AddNode("Identity", OutputName, [result.Name], [OutputName], []);
        var version = typeof(OnnxGraph).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        using var model = new ProtobufMessage(destination);
        model.Int64(OnnxProto.Model.IrVersion, IrVersion)
            .String(OnnxProto.Model.ProducerName, "ClinicaDL for PowerShell")
            .String(OnnxProto.Model.ProducerVersion, version)
            .String(OnnxProto.Model.DocString, $"ClinicaDL network {graphName}: input [batch, {string.Join(", ", input.Shape)}], raw outputs [batch, {string.Join(", ", result.Shape)}].")
            .Message(OnnxProto.Model.OpsetImport, new ProtobufMessage().Int64(OnnxProto.OperatorSetId.Version, Opset))
            .Messages(OnnxProto.Model.MetadataProps, metadata.Select(entry =>
                new ProtobufMessage().String(OnnxProto.StringStringEntry.Key, entry.Key).String(OnnxProto.StringStringEntry.Value, entry.Value)));
        var graph = new ProtobufMessage()
            .Messages(OnnxProto.Graph.Node, _nodes)
            .String(OnnxProto.Graph.Name, graphName)
            .Messages(OnnxProto.Graph.Initializer, _initializers)
            .Message(OnnxProto.Graph.Input, ValueInfo(InputName, input.Shape))
            .Message(OnnxProto.Graph.Output, ValueInfo(OutputName, result.Shape));
        _nodes.Clear();
        _initializers.Clear();
        model.Message(OnnxProto.Model.Graph, graph);
        model.Flush();
    }

    public void Dispose()
    {
        foreach (var message in _nodes.Concat(_initializers))
        {
            message.Dispose();
        }
        _nodes.Clear();
        _initializers.Clear();
    }

    private void AddNode(string operatorType, string name, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, OnnxAttribute[] attributes)
    {
        var node = new ProtobufMessage();
        foreach (var input in inputs)
        {
            node.String(OnnxProto.Node.Input, input);
        }
        foreach (var output in outputs)
        {
            node.String(OnnxProto.Node.Output, output);
        }
        node.String(OnnxProto.Node.Name, name).String(OnnxProto.Node.OpType, operatorType)
            .Messages(OnnxProto.Node.Attribute, attributes.Select(a => a.ToMessage()));
        _nodes.Add(node);
    }

    private string Initializer(string name, int dataType, long[] shape, byte[] raw)
    {
        // ONNX raw_data is little-endian whatever the machine; the bytes are copied as they lie in memory.
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX export writes weights as they lie in memory, which ONNX requires little-endian; this machine is big-endian.");
        }
        name = Unique(name);
        _initializers.Add(new ProtobufMessage()
            .Int64s(OnnxProto.Tensor.Dims, shape)
            .Int64(OnnxProto.Tensor.DataType, dataType)
            .String(OnnxProto.Tensor.Name, name)
            .Bytes(OnnxProto.Tensor.RawData, raw));
        return name;
    }

    /// <summary>A float tensor's ValueInfoProto: the dynamic batch, then the sample's fixed sizes.</summary>
    private static ProtobufMessage ValueInfo(string name, long[] sampleShape)
    {
        var shape = new ProtobufMessage()
            .Message(OnnxProto.Type.ShapeDimension, new ProtobufMessage().String(OnnxProto.Type.DimensionParameter, BatchDimension))
            .Messages(OnnxProto.Type.ShapeDimension, sampleShape.Select(size => new ProtobufMessage().Int64(OnnxProto.Type.DimensionValue, size)));
        var tensor = new ProtobufMessage().Int64(OnnxProto.Type.TensorElementType, OnnxProto.Tensor.Float).Message(OnnxProto.Type.TensorShape, shape);
        return new ProtobufMessage().String(OnnxProto.ValueInfo.Name, name).Message(OnnxProto.ValueInfo.Type, new ProtobufMessage().Message(OnnxProto.Type.TensorType, tensor));
    }

    private string Unique(string name)
    {
        var candidate = name;
        for (var suffix = 1; !_names.Add(candidate); suffix++)
        {
            candidate = $"{name}_{suffix}";
        }
        return candidate;
    }
}
