using System.IO.Compression;
using System.Security.Cryptography;
using ClinicaDL.Core.Runtime;

namespace ClinicaDL.Core.Tests.Runtime;

/// <summary>Which packages and which of their files make the runtime of each platform and device.</summary>
public sealed class RuntimePackagesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-runtime-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("linux-x64", RuntimeDevice.Cpu, "libtorch-cpu-linux-x64", "libLibTorchSharp.so", "libtorch_cpu.so")]
    [InlineData("win-x64", RuntimeDevice.Cpu, "libtorch-cpu-win-x64", "LibTorchSharp.dll", "torch_cpu.dll")]
    [InlineData("win-arm64", RuntimeDevice.Cpu, "libtorch-cpu-win-arm64", "LibTorchSharp.dll", "torch_cpu.dll")]
    [InlineData("osx-arm64", RuntimeDevice.Cpu, "libtorch-cpu-osx-arm64", "libLibTorchSharp.dylib", "libtorch_cpu.dylib")]
    [InlineData("linux-x64", RuntimeDevice.Cuda, "libtorch-cuda-12.8-linux-x64", "libLibTorchSharp.so", "libtorch_cuda.so")]
    [InlineData("win-x64", RuntimeDevice.Cuda, "libtorch-cuda-12.8-win-x64", "LibTorchSharp.dll", "torch_cuda.dll")]
    public void Each_platform_and_device_gets_its_libtorch_package_and_TorchSharps_natives(
        string runtimeIdentifier, RuntimeDevice device, string libTorch, string libTorchSharp, string torchLibrary)
    {
        var selection = RuntimePackages.Select(runtimeIdentifier, device);

        Assert.Equal(new RuntimePackage(libTorch, "2.10.0"), selection.LibTorch);
        Assert.Equal(new RuntimePackage("TorchSharp", "0.107.0"), selection.TorchSharp);
        Assert.Equal(libTorchSharp, selection.LibTorchSharpFileName);
        Assert.Equal(torchLibrary, selection.TorchLibraryFileName);
        Assert.Equal($"2.10.0-{device.ToString().ToLowerInvariant()}-{runtimeIdentifier}-torchsharp-0.107.0", selection.FolderName);
    }

    [Theory]
    [InlineData("osx-arm64", RuntimeDevice.Cuda, "Use -Device Cpu")]
    [InlineData("win-arm64", RuntimeDevice.Cuda, "Use -Device Cpu")]
    [InlineData("linux-arm64", RuntimeDevice.Cpu, "linux-x64, win-x64, win-arm64, osx-arm64")]
    [InlineData("osx-x64", RuntimeDevice.Cpu, "linux-x64, win-x64, win-arm64, osx-arm64")]
    public void A_platform_without_that_libtorch_is_refused_with_what_exists(string runtimeIdentifier, RuntimeDevice device, string advice)
    {
        var error = Assert.Throws<TorchRuntimeException>(() => RuntimePackages.Select(runtimeIdentifier, device));
        Assert.Contains(runtimeIdentifier, error.Message);
        Assert.Contains(advice, error.Message);
    }

    [Theory]
    [InlineData("win-x64", RuntimeDevice.Cpu, new[]
    {
        "runtimes/win-x64/native/torch_cpu.dll", "runtimes/win-x64/native/torch_cpu.lib", "runtimes/win-x64/native/c10.dll",
        "runtimes/win-x64/native/torch.dll", "runtimes/win-x64/native/libiomp5md.dll", "runtimes/win-x64/native/torch_python.dll",
        "runtimes/win-x64/native/torch_cpu.pdb", "runtimes/win-x64/native/LibTorchSharp.dll", "runtimes/linux-x64/native/libLibTorchSharp.so",
        "runtimes/osx-arm64/native/libLibTorchSharp.dylib", "lib/netstandard2.0/_._/empty.txt", "LICENSE-LIBTORCH.txt",
    }, new[] { "c10.dll", "libiomp5md.dll", "LibTorchSharp.dll", "torch.dll", "torch_cpu.dll" })]
    [InlineData("osx-arm64", RuntimeDevice.Cpu, new[]
    {
        "runtimes/osx-arm64/native/libtorch_cpu.dylib", "runtimes/osx-arm64/native/libc10.dylib", "runtimes/osx-arm64/native/libomp.dylib",
        "runtimes/osx-arm64/native/libtorch_python.dylib", "runtimes/osx-arm64/native/libshm.dylib", "runtimes/osx-arm64/native/libLibTorchSharp.dylib",
        "runtimes/win-x64/native/LibTorchSharp.dll",
    }, new[] { "libc10.dylib", "libLibTorchSharp.dylib", "libomp.dylib", "libtorch_cpu.dylib" })]
    [InlineData("linux-x64", RuntimeDevice.Cuda, new[]
    {
        "runtimes/linux-x64/native/libtorch_cuda.so", "runtimes/linux-x64/native/libtorch_cuda.so.sha", "runtimes/linux-x64/native/libcudnn.so.9",
        "fragments/linux-x64/native/libtorch_cuda.so.fragment1", "runtimes/linux-x64/native/libjitbackend_test.so",
        "runtimes/win-x64/native/torch_cuda.dll",
    }, new[] { "libcudnn.so.9", "libtorch_cuda.so" })]
    public void Only_the_platforms_native_libraries_are_kept(string runtimeIdentifier, RuntimeDevice device, string[] entries, string[] kept)
    {
        var selection = RuntimePackages.Select(runtimeIdentifier, device);

        var names = entries.Where(selection.IsNeeded).Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(kept.Order(StringComparer.Ordinal), names);
    }

    [SkippableFact]
    public void The_linux_cpu_package_gives_the_files_the_source_build_copies()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var package = Path.Combine(root, "libtorch-cpu-linux-x64", "2.10.0", "libtorch-cpu-linux-x64.2.10.0.nupkg");
        Skip.IfNot(File.Exists(package), "libtorch-cpu-linux-x64 2.10.0 is not in the NuGet packages folder");
        var selection = RuntimePackages.Select("linux-x64", RuntimeDevice.Cpu);

        using var archive = ZipFile.OpenRead(package);
        var kept = archive.Entries.Select(e => e.FullName).Where(selection.IsNeeded).Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(["libc10.so", "libgomp-98b21ff3.so.1", "libtorch.so", "libtorch_cpu.so", "libtorch_global_deps.so"], kept);
    }

    [Fact]
    public void Split_pieces_and_their_checksum_go_aside_until_joined()
    {
        var selection = RuntimePackages.Select("linux-x64", RuntimeDevice.Cuda);
        var aside = Path.Combine(_folder, RuntimeFragments.FolderName);

        Assert.Equal(Path.Combine(_folder, "libtorch_cuda.so"), RuntimeFragments.Destination(selection, "runtimes/linux-x64/native/libtorch_cuda.so", _folder));
        Assert.Equal(Path.Combine(aside, "libtorch_cuda.so.sha"), RuntimeFragments.Destination(selection, "runtimes/linux-x64/native/libtorch_cuda.so.sha", _folder));
        Assert.Equal(Path.Combine(aside, "libtorch_cuda.so.fragment2"), RuntimeFragments.Destination(selection, "fragments/linux-x64/native/libtorch_cuda.so.fragment2", _folder));
        Assert.Null(RuntimeFragments.Destination(selection, "fragments/win-x64/native/torch_cuda.dll.fragment1", _folder));
        Assert.Null(RuntimeFragments.Destination(selection, "LICENSE-LIBTORCH.txt", _folder));
    }

    [Fact]
    public void A_split_file_is_joined_in_order_and_checked()
    {
        byte[][] pieces = [[1, 2, 3], [4, 5], [6], [7, 8, 9, 10]];
        var whole = pieces.SelectMany(p => p).ToArray();
        WritePieces("libtorch_cuda.so", pieces, Convert.ToHexStringLower(SHA256.HashData(whole)));

        RuntimeFragments.Join(_folder);

        Assert.Equal(whole, File.ReadAllBytes(Path.Combine(_folder, "libtorch_cuda.so")));
        Assert.False(Directory.Exists(Path.Combine(_folder, RuntimeFragments.FolderName)));
    }

    [Fact]
    public void A_joined_file_that_does_not_match_its_checksum_is_refused_and_the_primary_kept()
    {
        byte[][] pieces = [[1, 2, 3], [4, 5]];
        WritePieces("libtorch_cuda.so", pieces, Convert.ToHexStringLower(SHA256.HashData(new byte[] { 1, 2, 3, 4, 6 })));

        var error = Assert.Throws<TorchRuntimeException>(() => RuntimeFragments.Join(_folder));

        Assert.Contains("libtorch_cuda.so", error.Message);
        Assert.Contains("SHA-256", error.Message);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(_folder, "libtorch_cuda.so")));
    }

    [Fact]
    public void A_checksum_whose_pieces_are_all_missing_checks_the_primary_piece_alone()
    {
        // A truncated library (its part packages not downloaded) must not be installed.
        WritePieces("libtorch_cuda.so", [[1, 2, 3]], Convert.ToHexStringLower(SHA256.HashData(new byte[] { 1, 2, 3, 4 })));

        var error = Assert.Throws<TorchRuntimeException>(() => RuntimeFragments.Join(_folder));

        Assert.Contains("libtorch_cuda.so joined from 1 piece(s) has SHA-256", error.Message);
    }

    [Fact]
    public void A_missing_piece_is_named()
    {
        WritePieces("libtorch_cuda.so", [[1], [2], [3]], "00");
        File.Delete(Path.Combine(_folder, RuntimeFragments.FolderName, "libtorch_cuda.so.fragment1"));

        var error = Assert.Throws<TorchRuntimeException>(() => RuntimeFragments.Join(_folder));

        Assert.Contains("pieces 2 were found; pieces 1 to 2 are needed", error.Message);
    }

    [Fact]
    public void Natives_next_to_the_module_are_the_source_builds_runtime()
    {
        var runtimeIdentifier = RuntimePackages.CurrentRuntimeIdentifier();
        File.WriteAllBytes(Path.Combine(_folder, RuntimeSelection.NativeFileName(runtimeIdentifier, "LibTorchSharp")), []);
        File.WriteAllBytes(Path.Combine(_folder, RuntimeSelection.NativeFileName(runtimeIdentifier, "torch_cpu")), []);

        Assert.Equal(new RuntimeLocation(_folder, RuntimeOrigin.ModuleFolder, RuntimeDevice.Cpu), RuntimeLocation.Find(_folder));
    }

    /// <summary>The primary piece in the staging folder, the others and the checksum in its fragments folder.</summary>
    private void WritePieces(string name, byte[][] pieces, string sha256)
    {
        var aside = Directory.CreateDirectory(Path.Combine(_folder, RuntimeFragments.FolderName)).FullName;
        File.WriteAllBytes(Path.Combine(_folder, name), pieces[0]);
        for (var i = 1; i < pieces.Length; i++)
        {
            File.WriteAllBytes(Path.Combine(aside, $"{name}.fragment{i}"), pieces[i]);
        }
        File.WriteAllText(Path.Combine(aside, name + ".sha"), sha256);
    }
}
