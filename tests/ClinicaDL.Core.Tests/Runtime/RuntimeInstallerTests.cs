using System.IO.Compression;
using System.Text;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Runtime;

namespace ClinicaDL.Core.Tests.Runtime;

/// <summary>How the installer reads -Source, finds, replaces and cleans up runtime folders (offline, on small folders).</summary>
public sealed class RuntimeInstallerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-installer-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_source_is_a_configured_name_first_then_a_feed_url_and_only_then_a_path()
    {
        File.WriteAllText(Path.Combine(_folder, "NuGet.Config"), """
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="corporate" value="https://feed.example.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        var resolved = new List<string>();
        string Resolve(string path)
        {
            resolved.Add(path);
            return Path.Combine(_folder, path);
        }

        Assert.Equal("https://feed.example.org/v3/index.json", Assert.Single(RuntimeInstaller.Sources("Corporate", _folder, Resolve)).Source);
        Assert.Equal("http://127.0.0.1:9/index.json", Assert.Single(RuntimeInstaller.Sources("http://127.0.0.1:9/index.json", _folder, Resolve)).Source);
        Assert.Equal("https://other.example.org/nuget/", Assert.Single(RuntimeInstaller.Sources("https://other.example.org/nuget/", _folder, Resolve)).Source);
        Assert.Empty(resolved);
        Assert.Equal(Path.Combine(_folder, "feed"), Assert.Single(RuntimeInstaller.Sources("feed", _folder, Resolve)).Source);
        Assert.Equal(["feed"], resolved);
    }

    [Fact]
    public void A_runtime_folder_is_found_only_for_the_torchsharp_version_of_the_module()
    {
        var selection = RuntimePackages.Select(RuntimePackages.CurrentRuntimeIdentifier(), RuntimeDevice.Cpu);
        var module = Directory.CreateDirectory(Path.Combine(_folder, "module")).FullName;
        var root = Path.Combine(_folder, "runtime");
        // What an installation by a module built with another TorchSharp left: libtorch's version, device and
        // platform are the same, its LibTorchSharp library is not.
        WriteRuntime(Path.Combine(root, $"{selection.LibTorch.Version}-cpu-{selection.RuntimeIdentifier}"), selection, "0.106.0");
        WriteRuntime(Path.Combine(root, selection.FolderName[..selection.FolderName.LastIndexOf('-')] + "-0.106.0"), selection, "0.106.0");

        Assert.Null(RuntimeLocation.Find(module, [root]));

        // The right folder with a runtime.json of another TorchSharp (copied by hand) does not fit either.
        var folder = Path.Combine(root, selection.FolderName);
        WriteRuntime(folder, selection, "0.106.0");
        Assert.False(RuntimeLocation.IsComplete(folder, selection));
        Assert.Null(RuntimeLocation.Find(module, [root]));

        var others = RuntimeLocation.OtherTorchSharpRuntimes([root]);
        Assert.Equal(3, others.Count);
        Assert.All(others, o => Assert.Equal("0.106.0", o.TorchSharp));
        Assert.Contains($"{folder} is a runtime for TorchSharp 0.106.0", RuntimeMissingException.OtherVersions(others));
        Assert.EndsWith($"but this module's TorchSharp is {selection.TorchSharp.Version}, whose native library must match it.", RuntimeMissingException.OtherVersions(others));

        WriteRuntime(folder, selection, selection.TorchSharp.Version);
        Assert.True(RuntimeLocation.IsComplete(folder, selection));
        Assert.Equal(2, RuntimeLocation.OtherTorchSharpRuntimes([root]).Count);
        Assert.Equal(new RuntimeLocation(folder, RuntimeOrigin.Installed, RuntimeDevice.Cpu), RuntimeLocation.Find(module, [root]));
    }

    [Fact]
    public void Force_puts_the_new_runtime_in_place_of_the_old_and_removes_the_old()
    {
        var target = Folder("runtime", "old.so");
        var staging = Folder("runtime.installing", "new.so");

        RuntimeInstaller.Replace(staging, target, _ => { });

        Assert.Equal(["new.so"], Directory.GetFiles(target).Select(Path.GetFileName));
        Assert.False(Directory.Exists(staging));
        Assert.Equal(["runtime"], Directory.GetDirectories(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void A_replacement_that_fails_leaves_the_old_runtime_where_it_was()
    {
        var target = Folder("runtime", "old.so");
        var missingStaging = Path.Combine(_folder, "runtime.installing");

        Assert.ThrowsAny<IOException>(() => RuntimeInstaller.Replace(missingStaging, target, _ => { }));

        Assert.Equal(["old.so"], Directory.GetFiles(target).Select(Path.GetFileName));
        Assert.Equal(["runtime"], Directory.GetDirectories(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void The_runtime_this_process_loaded_is_not_replaced()
    {
        var target = Folder("runtime", "libtorch_cpu.so");
        var loaded = new RuntimeLocation(target + Path.DirectorySeparatorChar, RuntimeOrigin.Installed, RuntimeDevice.Cpu);

        var error = Assert.Throws<TorchRuntimeException>(() => RuntimeInstaller.RefuseReplacingLoaded(target, true, loaded));

        Assert.Contains($"This session has loaded the runtime in {target}", error.Message);
        Assert.Contains("new session", error.Message);
        RuntimeInstaller.RefuseReplacingLoaded(target, false, loaded);
        RuntimeInstaller.RefuseReplacingLoaded(target, true, loaded with { Directory = Path.Combine(_folder, "elsewhere") });
        RuntimeInstaller.RefuseReplacingLoaded(target, true, null);
    }

    [Fact]
    public void A_failed_installation_removes_its_staging_folder_and_keeps_the_downloads()
    {
        var selection = RuntimePackages.Select("linux-x64", RuntimeDevice.Cpu);
        var feed = Directory.CreateDirectory(Path.Combine(_folder, "feed")).FullName;
        // A libtorch package with its library, and a TorchSharp package without LibTorchSharp: the runtime would not load.
        WritePackage(feed, selection.LibTorch, ("runtimes/linux-x64/native/libtorch_cpu.so", "not a library"));
        WritePackage(feed, selection.TorchSharp, ("lib/net8.0/TorchSharp.dll", "not an assembly"));
        var root = Path.Combine(_folder, "runtime");
        var target = Path.Combine(root, selection.FolderName);
        var installer = new RuntimeInstaller(selection, _folder, _ => { }, new Progress<RuntimeInstallProgress>());

        var error = Assert.Throws<TorchRuntimeException>(() =>
            installer.Install(target, RuntimeInstaller.Sources(feed, _folder, p => p), force: false, CancellationToken.None));

        Assert.Contains("did not hold libLibTorchSharp.so", error.Message);
        Assert.False(Directory.Exists(target + ".installing"));
        Assert.False(Directory.Exists(target));
        Assert.Equal(
            [$"libtorch-cpu-linux-x64.{selection.LibTorch.Version}.nupkg", $"torchsharp.{selection.TorchSharp.Version}.nupkg"],
            Directory.GetFiles(Path.Combine(root, ".downloads")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_installation_while_another_uses_the_shared_downloads_folder_is_refused()
    {
        var selection = RuntimePackages.Select("linux-x64", RuntimeDevice.Cpu);
        var root = Path.Combine(_folder, "runtime");
        var downloads = Path.Combine(root, ".downloads");
        var installer = new RuntimeInstaller(selection, _folder, _ => { }, new Progress<RuntimeInstallProgress>());
        // Another installation (of the CUDA runtime, say) holds the downloads folder: another flow, as another pipeline would be.
        OutputLock? held = null;
        var other = new Thread(() => held = OutputLock.Acquire(downloads));
        other.UnsafeStart();
        other.Join();
        try
        {
            var error = Assert.Throws<OutputInUseException>(() =>
                installer.Install(Path.Combine(root, selection.FolderName), RuntimeInstaller.Sources(_folder, _folder, p => p), force: false, CancellationToken.None));

            Assert.Equal(Path.GetFullPath(downloads), error.Path);
        }
        finally
        {
            held!.Dispose();
        }
    }

    [Theory]
    [InlineData(1000, 1000, true)]
    [InlineData(1000, 0, false)]
    [InlineData(1000, 999, false)]
    [InlineData(1000, -1, false)]
    public void A_resumed_download_appends_only_the_bytes_after_those_already_there(long start, long from, bool resumes)
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.PartialContent) { Content = new ByteArrayContent([]) };
        if (from >= 0)
        {
            response.Content.Headers.ContentRange = new System.Net.Http.Headers.ContentRangeHeaderValue(from, 5000, 5001);
        }

        Assert.Equal(resumes, RuntimeInstaller.ResumesAt(response, start));
    }

    [SkippableFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Installing_for_all_users_without_the_rights_says_to_run_elevated()
    {
        Skip.If(OperatingSystem.IsWindows() || Environment.UserName == "root", "needs a POSIX folder this user cannot write");
        var selection = RuntimePackages.Select("linux-x64", RuntimeDevice.Cpu);
        var root = Directory.CreateDirectory(Path.Combine(_folder, "machine")).FullName;
        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var installer = new RuntimeInstaller(selection, _folder, _ => { }, new Progress<RuntimeInstallProgress>());
        try
        {
            var error = Assert.Throws<UnauthorizedAccessException>(() => installer.Install(Path.Combine(root, selection.FolderName),
                RuntimeInstaller.Sources(_folder, _folder, p => p), force: false, CancellationToken.None, RuntimeScope.AllUsers));

            Assert.Contains($"writes to {root}, which needs administrator rights", error.Message);
            Assert.Contains("sudo pwsh", error.Message);
            Assert.Contains("-Scope CurrentUser", error.Message);
        }
        finally
        {
            File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void Only_libtorch_failing_to_load_is_the_runtime_missing()
    {
        Assert.True(RuntimeMissingException.IsTorchLoadFailure(new DllNotFoundException("Unable to load shared library 'LibTorchSharp' or one of its dependencies.")));
        Assert.True(RuntimeMissingException.IsTorchLoadFailure(new InvalidOperationException("wrapped",
            new DllNotFoundException("Unable to load DLL 'torch_cpu.dll' or one of its dependencies"))));
        Assert.True(RuntimeMissingException.IsTorchLoadFailure(new TypeInitializationException("TorchSharp.torch", new NotSupportedException("no libtorch"))));
        Assert.False(RuntimeMissingException.IsTorchLoadFailure(new DllNotFoundException("Unable to load shared library 'libSkiaSharp' or one of its dependencies.")));
        Assert.False(RuntimeMissingException.IsTorchLoadFailure(new TypeInitializationException("SkiaSharp.SKImageInfo", new DllNotFoundException("'libSkiaSharp'"))));

        var loader = new DllNotFoundException("Unable to load shared library 'LibTorchSharp'");
        Assert.Same(loader, RuntimeMissingException.For(_folder, loader).InnerException);
    }

    [Fact]
    public void An_installed_runtime_that_fails_to_load_is_reinstalled_not_rebuilt()
    {
        var installed = TorchRuntime.RepairAdvice(new RuntimeLocation(_folder, RuntimeOrigin.Installed, RuntimeDevice.Cuda));
        var built = TorchRuntime.RepairAdvice(new RuntimeLocation(_folder, RuntimeOrigin.ModuleFolder, RuntimeDevice.Cpu));

        Assert.Equal("Reinstall the runtime (Install-ClinicaDLRuntime -Device Cuda -Force).", installed);
        Assert.Contains("rebuild the module with build.ps1", built);
    }

    private string Folder(string name, string file)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_folder, name)).FullName;
        File.WriteAllText(Path.Combine(folder, file), name);
        return folder;
    }

    private static void WriteRuntime(string folder, RuntimeSelection selection, string torchSharpVersion)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, selection.LibTorchSharpFileName), []);
        File.WriteAllText(Path.Combine(folder, RuntimeLocation.ManifestFileName), $$"""{ "torchSharp": "{{torchSharpVersion}}" }""");
    }

    /// <summary>A minimal .nupkg (its .nuspec and the given files) in a flat folder feed.</summary>
    private static void WritePackage(string feed, RuntimePackage package, params (string Path, string Content)[] files)
    {
        using var archive = ZipFile.Open(Path.Combine(feed, $"{package.Id}.{package.Version}.nupkg"), ZipArchiveMode.Create);
        var nuspec = $"""
            <?xml version="1.0" encoding="utf-8"?>
            <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
              <metadata><id>{package.Id}</id><version>{package.Version}</version><authors>test</authors><description>test</description></metadata>
            </package>
            """;
        foreach (var (path, content) in files.Prepend(($"{package.Id}.nuspec", nuspec)))
        {
            using var stream = archive.CreateEntry(path).Open();
            stream.Write(Encoding.UTF8.GetBytes(content));
        }
    }
}
