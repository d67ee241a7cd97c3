namespace ClinicaDL.Core.Runtime;

/// <summary>The libtorch build a runtime holds: CPU only, or CUDA (which also runs on the CPU).</summary>
public enum RuntimeDevice
{
    Cpu,
    Cuda,
}
