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

    /// <summary>The shape, from the file's header (or pickle) alone.</summary>
    public static long[] ReadShape(string path) => IsClinicaDl(path) ? PyTorchFile.ReadTensorShape(path) : TensorFile.ReadShape(path);

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
