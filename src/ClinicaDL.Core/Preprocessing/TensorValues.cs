using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// A CPU tensor's values as a managed array in one block copy: TorchSharp's data&lt;T&gt;().ToArray() goes element
/// by element, 0.2 to 0.5 s for a 1 mm head's 9 million voxels against a few milliseconds.
/// </summary>
internal static class TensorValues
{
    public static T[] ToArray<T>(Tensor values) where T : unmanaged
    {
        using var contiguous = values.contiguous();
        return MemoryMarshal.Cast<byte, T>(contiguous.bytes).ToArray();
    }
}
