using ClinicaDL.Core.Imaging;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Extraction;

/// <summary>
/// An extracted image tensor [1, X, Y, Z], either this module's (<c>.tensor</c>, <see cref="TensorFile"/>) or the
/// one ClinicaDL's <c>prepare-data image</c> wrote (<c>.pt</c>, PyTorch's format): read the same way, by extension.
/// </summary>
public static class ImageTensorFile
{
    public static bool IsClinicaDl(string path) => path.EndsWith(PyTorchFile.TensorExtension, StringComparison.OrdinalIgnoreCase);

    public static long[] ReadShape(string path)
    {
        if (!IsClinicaDl(path))
        {
            return TensorFile.ReadShape(path);
        }
        using var tensor = PyTorchFile.ReadTensor(path);
        return tensor.shape;
    }

    /// <summary>The tensor as float32 on the CPU (the caller disposes it).</summary>
    public static Tensor Read(string path)
    {
        if (IsClinicaDl(path))
        {
            return PyTorchFile.ReadTensor(path);
        }
        var (shape, values) = TensorFile.Read(path);
        using var flat = tensor(values);
        return flat.reshape(shape);
    }
}
