namespace ClinicaDL.Core.Export;

/// <summary>The file formats a MAPS' model can be exported to.</summary>
public enum ModelFormat
{
    /// <summary>An ONNX ModelProto (.onnx), run by ONNX Runtime and most inference servers.</summary>
    Onnx,
}
