using System.Reflection;
using System.Runtime.InteropServices;
using ClinicaDL.Core.Tables;
using TorchSharp;

namespace ClinicaDL.Core.Runtime;

/// <summary>The software and hardware an experiment runs on: what a MAPS records and what an admin checks first.</summary>
public sealed class EnvironmentInfo
{
    public required string ModuleVersion { get; init; }
    public required string HostName { get; init; }
    public required string HostVersion { get; init; }
    public required string DotNetVersion { get; init; }
    public required string OperatingSystem { get; init; }
    public required string Architecture { get; init; }
    public required string CpuModel { get; init; }
    public required int LogicalCores { get; init; }

    /// <summary>The CPU's bfloat16 instructions, which amp (mixed precision) needs on a CPU; null when it has none.</summary>
    public required string? Bfloat16Arithmetic { get; init; }
    public required string TorchSharpVersion { get; init; }
    public required string LibTorchVersion { get; init; }
    public required int TorchThreads { get; init; }
    public required ReadableList<string> Devices { get; init; }
    public required bool CudaAvailable { get; init; }
    public required bool CompatibilityStepActive { get; init; }
    public required string? LibStdCxx { get; init; }
    public required string NativeDirectory { get; init; }

    /// <summary>Where the loaded libtorch comes from: ModuleFolder (source build) or Installed (a runtime).</summary>
    public required string RuntimeOrigin { get; init; }

    /// <summary>The libtorch build loaded: Cpu or Cuda.</summary>
    public required string RuntimeDevice { get; init; }

    /// <summary>Loads libtorch if needed and describes this process; the host (e.g. PowerShell) names itself.</summary>
    public static EnvironmentInfo Capture(string hostName, string hostVersion)
    {
        TorchRuntime.EnsureLoaded();
        var cuda = torch.cuda.is_available();
        var devices = new List<string> { "cpu" };
        if (cuda)
        {
            devices.AddRange(Enumerable.Range(0, torch.cuda.device_count()).Select(i => $"cuda:{i}"));
        }
        return new EnvironmentInfo
        {
            ModuleVersion = typeof(EnvironmentInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown",
            HostName = hostName,
            HostVersion = hostVersion,
            DotNetVersion = Environment.Version.ToString(),
            OperatingSystem = RuntimeInformation.OSDescription,
            Architecture = RuntimeInformation.ProcessArchitecture.ToString(),
            CpuModel = CpuModelName(),
            LogicalCores = Environment.ProcessorCount,
            Bfloat16Arithmetic = ProcessorFeatures.Bfloat16Arithmetic(),
            TorchSharpVersion = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown",
            LibTorchVersion = torch.__version__,
            // Not the calling thread's count, which is whatever its last work left there (see TorchRuntime.UseThreads).
            TorchThreads = TorchRuntime.DefaultThreads,
            Devices = new(devices),
            CudaAvailable = cuda,
            CompatibilityStepActive = TorchRuntime.CompatibilityActive,
            LibStdCxx = LibStdCxxCompatibility.LoadedLibStdCxx(),
            NativeDirectory = TorchRuntime.NativeDirectory,
            RuntimeOrigin = TorchRuntime.Location!.Origin.ToString(),
            RuntimeDevice = TorchRuntime.Location.Device.ToString(),
        };
    }

    /// <summary>The environment as the lines of a MAPS' environment.txt.</summary>
    public string ToText() => string.Join("\n",
    [
        $"clinicadl-powershell=={ModuleVersion}",
        $"{HostName.ToLowerInvariant()}=={HostVersion}",
        $"dotnet=={DotNetVersion}",
        $"torchsharp=={TorchSharpVersion}",
        $"libtorch=={LibTorchVersion}",
        $"# os: {OperatingSystem} ({Architecture})",
        $"# cpu: {CpuModel}, {LogicalCores} logical cores, torch threads {TorchThreads}, bfloat16 arithmetic: {Bfloat16Arithmetic ?? "none"}",
        $"# devices: {string.Join(", ", Devices)}",
        $"# libtorch runtime: {RuntimeDevice} ({RuntimeOrigin})",
        $"# libstdc++ compatibility step: {(CompatibilityStepActive ? "active" : "not needed")}",
    ]) + "\n";

    private static string CpuModelName()
    {
        if (File.Exists("/proc/cpuinfo"))
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null)
            {
                return line[(line.IndexOf(':') + 1)..].Trim();
            }
        }
        return Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER") ?? RuntimeInformation.ProcessArchitecture.ToString();
    }
}
