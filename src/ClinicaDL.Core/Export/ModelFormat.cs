namespace ClinicaDL.Core.Export;

/// <summary>The file formats a MAPS' model can be exported to.</summary>
public enum ModelFormat
{
    /// <summary>An ONNX ModelProto (.onnx), run by ONNX Runtime and most inference servers.</summary>
    Onnx,

    /// <summary>
    /// ClinicaDL's model file (model.pth.tar): PyTorch's torch.save format holding {"model": state_dict, "epoch",
    /// "name"} with ClinicaDL's layer names, which clinicadl and torch.load read.
    /// </summary>
    PyTorch,
}
