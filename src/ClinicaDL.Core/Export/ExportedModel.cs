using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Export;

/// <summary>A model file written by <see cref="ModelExporter"/>: what it holds and what it takes.</summary>
public sealed class ExportedModel
{
    /// <summary>The file written (full path).</summary>
    public required string Path { get; init; }

    /// <summary>The <see cref="ModelFormat"/>'s name (text, so that CSV and JSON show the name).</summary>
    public required string Format { get; init; }

    /// <summary>The architecture (Conv5_FC3, resnet18...).</summary>
    public required string Architecture { get; init; }

    /// <summary>The network index with multi_network (one network per part); null for a single network.</summary>
    public int? Network { get; init; }

    public required int Split { get; init; }

    public required string SelectionMetric { get; init; }

    /// <summary>One sample's shape (channels first; its text 1x169x208x179); the file's input adds a dynamic batch dimension before it.</summary>
    public required ReadableList<long> InputShape { get; init; }

    /// <summary>The raw outputs' shape for one sample (logits, a regression value, or the reconstruction).</summary>
    public required ReadableList<long> OutputShape { get; init; }

    /// <summary>The ONNX operator set the file follows; null for a PyTorch file.</summary>
    public int? Opset { get; init; }

    /// <summary>The file's size in bytes.</summary>
    public required long Bytes { get; init; }

    public required string MapsPath { get; init; }
}
