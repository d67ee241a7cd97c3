using System.Text.Json.Nodes;

namespace ClinicaDL.Core.Runtime;

/// <summary>Who a runtime is installed for.</summary>
public enum RuntimeScope
{
    CurrentUser,
    AllUsers,
}

/// <summary>Where the libtorch natives this process loads come from.</summary>
public enum RuntimeOrigin
{
    /// <summary>Next to TorchSharp.dll in the module folder: the source build (build.ps1) puts them there.</summary>
    ModuleFolder,

    /// <summary>A runtime folder written by Install-ClinicaDLRuntime.</summary>
    Installed,
}

/// <summary>A runtime found on this machine: its folder, where it comes from and its device.</summary>
public sealed record RuntimeLocation(string Directory, RuntimeOrigin Origin, RuntimeDevice Device)
{
    /// <summary>Set to a folder, it replaces both scopes' runtime roots (a test's or an administrator's own place).</summary>
    public const string RootVariable = "CLINICADL_RUNTIME_ROOT";

    /// <summary>The file an installation writes last: a runtime folder without it is incomplete and ignored.</summary>
    public const string ManifestFileName = "runtime.json";

    /// <summary>The folder holding the runtimes of a scope (one subfolder per libtorch version, device and platform).</summary>
    public static string Root(RuntimeScope scope)
    {
        if (Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } root)
        {
            return Path.GetFullPath(root);
        }
        if (scope == RuntimeScope.AllUsers)
        {
            return OperatingSystem.IsWindows() ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "ClinicaDL", "runtime")
                : OperatingSystem.IsMacOS() ? "/Library/Application Support/ClinicaDL/runtime"
                : "/usr/local/share/ClinicaDL/runtime";
        }
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "ClinicaDL", "runtime");
        }
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS())
        {
            return Path.Combine(home, "Library", "Application Support", "ClinicaDL", "runtime");
        }
        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(home, ".local", "share");
        return Path.Combine(dataHome, "ClinicaDL", "runtime");
    }

    /// <summary>The folder of one runtime in a scope.</summary>
    public static string Folder(RuntimeScope scope, RuntimeSelection selection) => Path.Combine(Root(scope), selection.FolderName);

    /// <summary>The folders looked in, in order (for messages that say where nothing was found).</summary>
    public static IReadOnlyList<string> SearchedFolders(string moduleFolder) =>
        [moduleFolder, .. new[] { RuntimeScope.CurrentUser, RuntimeScope.AllUsers }.Select(Root).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// The runtime this process would load: natives next to TorchSharp.dll (the source build) first, then an installed
    /// runtime of this platform, the current user's before the machine's and CUDA before CPU (whoever installed a
    /// CUDA runtime did so to use it); null when there is none.
    /// </summary>
    public static RuntimeLocation? Find(string moduleFolder) =>
        Find(moduleFolder, new[] { RuntimeScope.CurrentUser, RuntimeScope.AllUsers }.Select(Root).ToList());

    /// <summary><see cref="Find(string)"/> with the scopes' roots given (most preferred first).</summary>
    internal static RuntimeLocation? Find(string moduleFolder, IReadOnlyList<string> roots)
    {
        var runtimeIdentifier = RuntimePackages.CurrentRuntimeIdentifier();
        if (File.Exists(Path.Combine(moduleFolder, RuntimeSelection.NativeFileName(runtimeIdentifier, "LibTorchSharp")))
            && File.Exists(Path.Combine(moduleFolder, RuntimeSelection.NativeFileName(runtimeIdentifier, "torch_cpu"))))
        {
            return new RuntimeLocation(moduleFolder, RuntimeOrigin.ModuleFolder, RuntimeDevice.Cpu);
        }
        foreach (var root in roots)
        {
            foreach (var device in new[] { RuntimeDevice.Cuda, RuntimeDevice.Cpu })
            {
                RuntimeSelection selection;
                try
                {
                    selection = RuntimePackages.Select(runtimeIdentifier, device);
                }
                catch (TorchRuntimeException)
                {
                    continue;
                }
                var folder = Path.Combine(root, selection.FolderName);
                if (IsComplete(folder, selection))
                {
                    return new RuntimeLocation(folder, RuntimeOrigin.Installed, device);
                }
            }
        }
        return null;
    }

    /// <summary>
    /// Installed runtimes of this platform that do not fit the module (made for another TorchSharp) in
    /// <paramref name="roots"/>: each folder with the TorchSharp version its runtime.json names.
    /// </summary>
    internal static IReadOnlyList<(string Folder, string TorchSharp)> OtherTorchSharpRuntimes(IReadOnlyList<string> roots)
    {
        var found = new List<(string, string)>();
        var runtimeIdentifier = RuntimePackages.CurrentRuntimeIdentifier();
        foreach (var root in roots.Where(System.IO.Directory.Exists))
        {
            foreach (var device in new[] { RuntimeDevice.Cuda, RuntimeDevice.Cpu })
            {
                RuntimeSelection selection;
                try
                {
                    selection = RuntimePackages.Select(runtimeIdentifier, device);
                }
                catch (TorchRuntimeException)
                {
                    continue;
                }
                var prefix = $"{selection.LibTorch.Version}-{device.ToString().ToLowerInvariant()}-{runtimeIdentifier}";
                // Not the installer's own staging and set-aside folders (X.installing, X.replaced-<guid>).
                foreach (var folder in System.IO.Directory.EnumerateDirectories(root, prefix + "*").Order(StringComparer.Ordinal)
                    .Where(f => !f.EndsWith(".installing", StringComparison.Ordinal) && !f.Contains(".replaced-", StringComparison.Ordinal)))
                {
                    if (ManifestTorchSharp(folder) is { } version && version != selection.TorchSharp.Version)
                    {
                        found.Add((folder, version));
                    }
                }
            }
        }
        return found;
    }

    private static string? ManifestTorchSharp(string folder)
    {
        var manifest = Path.Combine(folder, ManifestFileName);
        if (!File.Exists(manifest))
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(File.ReadAllText(manifest))?["torchSharp"]?.GetValue<string>();
        }
        catch (Exception error) when (error is System.Text.Json.JsonException or InvalidOperationException or IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether <paramref name="folder"/> holds a complete runtime of <paramref name="selection"/>: its runtime.json
    /// (written last) names the TorchSharp whose native library the module needs (a folder copied by hand from
    /// another module version's runtime does not fit), and its LibTorchSharp library is there.
    /// </summary>
    public static bool IsComplete(string folder, RuntimeSelection selection)
    {
        return File.Exists(Path.Combine(folder, selection.LibTorchSharpFileName)) && ManifestTorchSharp(folder) == selection.TorchSharp.Version;
    }
}
