using ClinicaDL.Core.Runtime;

namespace ClinicaDL.Core.Tests.Runtime;

public sealed class LibStdCxxCompatibilityTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-elf-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>TorchSharp's Linux native library from the NuGet packages folder, where restore put it.</summary>
    private static string? TorchSharpNative()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        return File.Exists(path) ? path : null;
    }

    [SkippableFact]
    public void Patching_drops_only_the_one_symbol_version_and_weakens_the_requirement()
    {
        var source = TorchSharpNative();
        Skip.If(source is null, "TorchSharp's linux-x64 native library is not in the NuGet packages folder");
        var copy = Path.Combine(_folder, "libLibTorchSharp.so");
        File.Copy(source!, copy);
        Assert.True(LibStdCxxCompatibility.Requires(copy));

        LibStdCxxCompatibility.Patch(copy);

        Assert.False(LibStdCxxCompatibility.Requires(copy));
        var before = File.ReadAllBytes(source!);
        var after = File.ReadAllBytes(copy);
        Assert.Equal(before.Length, after.Length);
        // Two little-endian 16-bit fields change: one .gnu.version entry and one vna_flags.
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToList();
        Assert.InRange(changed.Count, 2, 4);
        // Patching again changes nothing.
        LibStdCxxCompatibility.Patch(copy);
        Assert.Equal(after, File.ReadAllBytes(copy));
    }

    [Fact]
    public void A_libstdcxx_provides_a_version_when_its_name_is_in_the_file()
    {
        var fake = Path.Combine(_folder, "libstdc++.so.6");
        File.WriteAllBytes(fake, [.. "\0GLIBCXX_3.4.30\0GLIBCXX_3.4.32\0"u8]);
        Assert.True(LibStdCxxCompatibility.Provides(fake));
        File.WriteAllBytes(fake, [.. "\0GLIBCXX_3.4.30\0GLIBCXX_3.4.321\0"u8]);
        Assert.False(LibStdCxxCompatibility.Provides(fake));
    }
}
