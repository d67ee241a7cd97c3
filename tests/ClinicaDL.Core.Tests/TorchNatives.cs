using System.Runtime.InteropServices;
using ClinicaDL.Core.Runtime;

namespace ClinicaDL.Core.Tests;

/// <summary>
/// Loads libtorch into the test process from the built module folder (out/ClinicaDL, which build.ps1 makes): the
/// natives and, on an older libstdc++, the compatibility library live there, not in the test's bin folder. Once
/// they are loaded by path, TorchSharp's own load by name finds them.
/// </summary>
internal static class TorchNatives
{
    private const int RtldNow = 0x2;
    private const int RtldGlobal = 0x100;
    private static readonly Lock Gate = new();
    private static bool _loaded;

    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_loaded)
            {
                return;
            }
            var module = ModuleFolder();
            if (OperatingSystem.IsWindows())
            {
                NativeLibrary.Load(Path.Combine(module, "LibTorchSharp.dll"));
            }
            else
            {
                var extension = OperatingSystem.IsMacOS() ? "dylib" : "so";
                // The compatibility library first and global, so that libLibTorchSharp's unversioned symbol binds to it.
                foreach (var name in new[] { LibStdCxxCompatibility.ShimFileName, $"libtorch.{extension}", $"libLibTorchSharp.{extension}" })
                {
                    var path = Path.Combine(module, name);
                    if (File.Exists(path) && dlopen(path, RtldNow | RtldGlobal) == IntPtr.Zero)
                    {
                        throw new InvalidOperationException($"'{path}' could not be loaded.");
                    }
                }
            }
            TorchRuntime.UseModuleFolder(module);
            TorchRuntime.EnsureLoaded();
            _loaded = true;
        }
    }

    private static string ModuleFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var module = Path.Combine(folder.FullName, "out", "ClinicaDL");
            if (File.Exists(Path.Combine(folder.FullName, "ClinicaDL.psd1")) && Directory.Exists(module))
            {
                return module;
            }
        }
        throw new InvalidOperationException("The built module (out/ClinicaDL) holds libtorch for these tests: run 'dotnet pwsh ./build.ps1' first.");
    }

    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern IntPtr dlopen(string path, int flags);
}
