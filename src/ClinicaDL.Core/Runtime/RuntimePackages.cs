using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using TorchSharp;

namespace ClinicaDL.Core.Runtime;

/// <summary>A NuGet package of the runtime: its id and exact version.</summary>
public sealed record RuntimePackage(string Id, string Version)
{
    public override string ToString() => $"{Id} {Version}";
}

/// <summary>
/// What a runtime for one platform and device is made of: the libtorch package TorchSharp names for it (CUDA ones
/// are split into part packages, which the installer reads from the head package's dependencies), and TorchSharp's
/// own package, whose runtimes/&lt;rid&gt;/native folder has the LibTorchSharp library of the managed TorchSharp the
/// module was built with.
/// </summary>
public sealed class RuntimeSelection
{
    private static readonly Regex Unneeded = new("test|python|backend_with_compiler|aoti_custom_ops|nnapi|libshm", RegexOptions.IgnoreCase);
    private static readonly string[] UnneededExtensions = [".lib", ".pdb", ".a", ".h", ".sha"];

    internal RuntimeSelection(string runtimeIdentifier, RuntimeDevice device, RuntimePackage libTorch, RuntimePackage torchSharp)
    {
        RuntimeIdentifier = runtimeIdentifier;
        Device = device;
        LibTorch = libTorch;
        TorchSharp = torchSharp;
    }

    /// <summary>linux-x64, win-x64, osx-arm64...</summary>
    public string RuntimeIdentifier { get; }

    public RuntimeDevice Device { get; }

    /// <summary>The libtorch package (for CUDA, the head package whose dependencies are the parts).</summary>
    public RuntimePackage LibTorch { get; }

    /// <summary>TorchSharp's package, for its LibTorchSharp native library only.</summary>
    public RuntimePackage TorchSharp { get; }

    /// <summary>The folder inside a package whose files make the runtime.</summary>
    public string NativeFolder => $"runtimes/{RuntimeIdentifier}/native/";

    /// <summary>Where a split package keeps the later pieces of a file too large for one package.</summary>
    public string FragmentFolder => $"fragments/{RuntimeIdentifier}/native/";

    /// <summary>TorchSharp's native library on this platform (what TorchSharp loads by the name LibTorchSharp).</summary>
    public string LibTorchSharpFileName => NativeFileName(RuntimeIdentifier, "LibTorchSharp");

    /// <summary>The libtorch library every runtime of this device has: its presence tells a complete runtime.</summary>
    public string TorchLibraryFileName => NativeFileName(RuntimeIdentifier, Device == RuntimeDevice.Cuda ? "torch_cuda" : "torch_cpu");

    /// <summary>
    /// The name of the runtime's folder: libtorch's version, the device, the platform and TorchSharp's version, since
    /// the folder also holds TorchSharp's native library, which must match the managed TorchSharp of the module
    /// (two module versions side by side each get their own runtime).
    /// </summary>
    public string FolderName => $"{LibTorch.Version}-{Device.ToString().ToLowerInvariant()}-{RuntimeIdentifier}-torchsharp-{TorchSharp.Version}";

    /// <summary>
    /// Whether a package entry is a native library the runtime keeps: those of <see cref="NativeFolder"/>, less
    /// libtorch's test, Python and mobile back-end libraries and the import libraries and symbols of Windows.
    /// </summary>
    public bool IsNeeded(string entryPath)
    {
        var path = entryPath.Replace('\\', '/');
        if (!path.StartsWith(NativeFolder, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var name = path[NativeFolder.Length..];
        return name.Length > 0 && !name.Contains('/') && !Unneeded.IsMatch(name)
            && !UnneededExtensions.Contains(Path.GetExtension(name), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The file name of native library <paramref name="name"/> on the platform <paramref name="runtimeIdentifier"/>.</summary>
    public static string NativeFileName(string runtimeIdentifier, string name) => runtimeIdentifier.Split('-')[0] switch
    {
        "win" => $"{name}.dll",
        "osx" => $"lib{name}.dylib",
        _ => $"lib{name}.so",
    };
}

/// <summary>Which runtime packages fit a platform and device, for the TorchSharp the module was built with.</summary>
public static class RuntimePackages
{
    /// <summary>The libtorch release TorchSharp 0.107 binds (its packages' version).</summary>
    public const string LibTorchVersion = "2.10.0";

    /// <summary>The CUDA release of TorchSharp 0.107's CUDA libtorch packages.</summary>
    public const string CudaVersion = "12.8";

    private static readonly string[] CpuPlatforms = ["linux-x64", "win-x64", "win-arm64", "osx-arm64"];
    private static readonly string[] CudaPlatforms = ["linux-x64", "win-x64"];

    /// <summary>The version of the managed TorchSharp this module was built with (its package's version).</summary>
    public static string TorchSharpVersion
    {
        get
        {
            var version = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
            return version ?? typeof(torch).Assembly.GetName().Version?.ToString(3) ?? throw new InvalidOperationException("TorchSharp's assembly has no version.");
        }
    }

    /// <summary>This process's platform as a .NET runtime identifier (linux-x64, win-x64, osx-arm64...).</summary>
    public static string CurrentRuntimeIdentifier()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        return $"{os}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
    }

    /// <summary>The packages of the runtime for <paramref name="runtimeIdentifier"/> and <paramref name="device"/>.</summary>
    /// <exception cref="TorchRuntimeException">No libtorch package exists for that combination.</exception>
    public static RuntimeSelection Select(string runtimeIdentifier, RuntimeDevice device)
    {
        var platforms = device == RuntimeDevice.Cuda ? CudaPlatforms : CpuPlatforms;
        if (!platforms.Contains(runtimeIdentifier, StringComparer.Ordinal))
        {
            var cpuNote = device == RuntimeDevice.Cuda && CpuPlatforms.Contains(runtimeIdentifier) ? " Use -Device Cpu on this machine." : "";
            throw new TorchRuntimeException(
                $"TorchSharp {TorchSharpVersion} has no {device.ToString().ToUpperInvariant()} libtorch for {runtimeIdentifier}; " +
                $"it has one for {string.Join(", ", platforms)}.{cpuNote}");
        }
        var libTorch = device == RuntimeDevice.Cuda
            ? new RuntimePackage($"libtorch-cuda-{CudaVersion}-{runtimeIdentifier}", LibTorchVersion)
            : new RuntimePackage($"libtorch-cpu-{runtimeIdentifier}", LibTorchVersion);
        return new RuntimeSelection(runtimeIdentifier, device, libTorch, new RuntimePackage("TorchSharp", TorchSharpVersion));
    }
}
