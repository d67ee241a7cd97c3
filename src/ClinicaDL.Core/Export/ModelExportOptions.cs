namespace ClinicaDL.Core.Export;

/// <summary>Which kept model of a MAPS to export, where, and in which format.</summary>
public sealed class ModelExportOptions
{
    public required string MapsPath { get; init; }

    /// <summary>The file to write.</summary>
    public required string OutputPath { get; init; }

    public ModelFormat Format { get; init; } = ModelFormat.Onnx;

    /// <summary>The split whose model is exported; null: the MAPS' only split, refused when it has several.</summary>
    public int? Split { get; init; }

    /// <summary>The selection metric whose best model is exported; null: loss when it was trained, else the MAPS' first metric.</summary>
    public string? SelectionMetric { get; init; }

    /// <summary>With multi_network, the network (part index) to export; required there, refused otherwise.</summary>
    public int? Network { get; init; }

    /// <summary>Replace an existing file at <see cref="OutputPath"/>.</summary>
    public bool Overwrite { get; init; }
}
