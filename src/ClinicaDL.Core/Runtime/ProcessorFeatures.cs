using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace ClinicaDL.Core.Runtime;

/// <summary>
/// What this CPU computes natively beyond float32. Mixed precision on a CPU pays only with bfloat16 arithmetic in
/// hardware: without it oneDNN falls back to kernels that convert every value, and a bfloat16 convolution measured
/// 11 to 30 times slower than float32 (bench amp-conv3d), where with AVX-512 BF16 it took 0.58 to 0.69 of its time.
/// </summary>
public static class ProcessorFeatures
{
    /// <summary>The CPU's bfloat16 instructions (AVX-512 BF16, AMX-BF16), or null when it has none.</summary>
    public static string? Bfloat16Arithmetic()
    {
        if (!X86Base.IsSupported)
        {
            // ARM's BF16 extension is not detected here: not verified with libtorch's kernels.
            return null;
        }
        var found = new List<string>();
        // CPUID leaf 7: sub-leaf 1 EAX bit 5 is AVX512_BF16; sub-leaf 0 EDX bit 22 is AMX-BF16 (Intel SDM, vol. 2A).
        var (maximumLeaf, _, _, _) = X86Base.CpuId(0, 0);
        if (maximumLeaf >= 7)
        {
            var (extendedSubLeaves, _, _, amx) = X86Base.CpuId(7, 0);
            if (extendedSubLeaves >= 1 && (X86Base.CpuId(7, 1).Eax & (1 << 5)) != 0)
            {
                found.Add("AVX-512 BF16");
            }
            if ((amx & (1 << 22)) != 0)
            {
                found.Add("AMX-BF16");
            }
        }
        return found.Count == 0 ? null : string.Join(", ", found);
    }

    /// <summary>The reason this process cannot run bfloat16 mixed precision on its CPU fast, or null when it can.</summary>
    public static string? Bfloat16Refusal() => Bfloat16Arithmetic() is null
        ? $"this CPU ({RuntimeInformation.ProcessArchitecture}) has no bfloat16 arithmetic (AVX-512 BF16 or AMX-BF16), where bfloat16 runs slower than float32"
        : null;
}
