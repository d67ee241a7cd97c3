using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.IO;
using NuGet.Common;
using NuGet.Configuration;
using NuGet.Packaging;
using NuGet.Packaging.Signing;
using NuGet.Protocol;
using NuGet.Protocol.Core.Types;
using NuGet.Versioning;

namespace ClinicaDL.Core.Runtime;

/// <summary>Where an installation is: which package, how many of its bytes are here.</summary>
public sealed record RuntimeInstallProgress(string Activity, string Status, long Done, long Total);

/// <summary>
/// One package of an installed runtime: where it came from and whether its hash was checked (against the SHA-512
/// its source publishes, or the content hash of its signature).
/// </summary>
public sealed record InstalledPackage(string Id, string Version, string Source, long Bytes, bool HashVerified)
{
    /// <summary>How a list of packages reads in a table or a CSV cell.</summary>
    public override string ToString() => $"{Id} {Version}";
}

/// <summary>What Install-ClinicaDLRuntime did.</summary>
public sealed class RuntimeInstallation
{
    /// <summary>Cpu or Cuda (text, as output objects carry no enumerations).</summary>
    public required string Device { get; init; }
    public required string RuntimeIdentifier { get; init; }
    public required string Path { get; init; }
    public required ClinicaDL.Core.Tables.ReadableList<InstalledPackage> Packages { get; init; }

    /// <summary>Bytes fetched by this installation (0 when the runtime was already there).</summary>
    public required long DownloadedBytes { get; init; }

    /// <summary>Bytes of the runtime's folder.</summary>
    public required long InstalledBytes { get; init; }
    public required bool CompatibilityStepApplied { get; init; }
    public required bool AlreadyInstalled { get; init; }
    public required double DurationSeconds { get; init; }
}

/// <summary>
/// Installs a libtorch runtime from the NuGet sources of the machine's NuGet.Config (or one given source): finds
/// each package of the <see cref="RuntimeSelection"/> (and the parts of a split CUDA package), downloads it into
/// the runtime root's .downloads folder (an interrupted download resumes where it stopped), checks it against the
/// SHA-512 the source publishes, extracts the native libraries (joining files split across part packages and
/// checking their SHA-256), applies the libstdc++ compatibility step where this system needs it, and moves the
/// complete folder into place, its runtime.json written last.
/// </summary>
public sealed class RuntimeInstaller(RuntimeSelection selection, string moduleDirectory, Action<string> log, IProgress<RuntimeInstallProgress> progress)
{
    private const string Activity = "Installing the libtorch runtime";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The names of the enabled package sources of the NuGet.Config files that apply in <paramref name="folder"/> (for completion).</summary>
    public static IReadOnlyList<string> ConfiguredSourceNames(string folder) => ConfiguredSources(folder).Select(s => s.Name).ToList();

    /// <summary>NuGet's own reading: NuGet.Config files from <paramref name="folder"/> up to the root, then the user's and the machine's.</summary>
    private static List<PackageSource> ConfiguredSources(string folder) =>
        new PackageSourceProvider(Settings.LoadDefaultSettings(folder)).LoadPackageSources().Where(s => s.IsEnabled).ToList();

    /// <summary>
    /// The enabled package sources of the NuGet.Config files that apply in <paramref name="folder"/>, or
    /// <paramref name="source"/>: a configured source's name first, then an absolute http(s) URL (a feed), and
    /// only then a path, which <paramref name="resolvePath"/> makes a file-system path (a URL is no path: read as
    /// one, "http://host/index.json" would be a drive "http" that does not exist).
    /// </summary>
    public static IReadOnlyList<PackageSource> Sources(string? source, string folder, Func<string, string> resolvePath)
    {
        var configured = ConfiguredSources(folder);
        if (source is null)
        {
            if (configured.Count == 0)
            {
                throw new TorchRuntimeException("No NuGet package source is configured on this machine (dotnet nuget list source shows none). Give one with -Source <feed URL or folder>.");
            }
            return configured;
        }
        var named = configured.FirstOrDefault(s => string.Equals(s.Name, source, StringComparison.OrdinalIgnoreCase));
        if (named is not null)
        {
            return [named];
        }
        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return [new PackageSource(uri.OriginalString)];
        }
        return [new PackageSource(resolvePath(source))];
    }

    public RuntimeInstallation Install(RuntimeScope scope, IReadOnlyList<PackageSource> sources, bool force, CancellationToken cancellation) =>
        Install(RuntimeLocation.Folder(scope, selection), sources, force, cancellation, scope);

    /// <summary>Installs the runtime into <paramref name="target"/> (a scope's folder, or a test's).</summary>
    internal RuntimeInstallation Install(string target, IReadOnlyList<PackageSource> sources, bool force, CancellationToken cancellation,
        RuntimeScope scope = RuntimeScope.CurrentUser)
    {
        try
        {
            return InstallAsync(target, sources, force, cancellation).GetAwaiter().GetResult();
        }
        catch (UnauthorizedAccessException error) when (scope == RuntimeScope.AllUsers)
        {
            throw new UnauthorizedAccessException($"Installing the runtime for all users writes to {Path.GetDirectoryName(target)}, which needs administrator rights " +
                $"({error.Message}). Run the command in an elevated PowerShell (Windows: Run as administrator) or with sudo " +
                "(sudo pwsh -NoProfile -c 'Install-ClinicaDLRuntime -Scope AllUsers'), or install for yourself only with -Scope CurrentUser.", error);
        }
    }

    /// <summary>
    /// Refuses to replace the runtime this process has loaded: its libraries are mapped in memory, and on Windows
    /// they cannot even be moved.
    /// </summary>
    internal static void RefuseReplacingLoaded(string target, bool loaded, RuntimeLocation? location)
    {
        if (loaded && location is not null && string.Equals(Path.GetFullPath(location.Directory).TrimEnd(Path.DirectorySeparatorChar),
                Path.GetFullPath(target).TrimEnd(Path.DirectorySeparatorChar), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
        {
            throw new TorchRuntimeException($"This session has loaded the runtime in {target}, so it cannot replace it. " +
                "Close the PowerShell sessions that use ClinicaDL, then reinstall it in a new session before any ClinicaDL command there uses libtorch " +
                $"(pwsh -NoProfile -c 'Install-ClinicaDLRuntime -Device {location.Device} -Force').");
        }
    }

    private async Task<RuntimeInstallation> InstallAsync(string target, IReadOnlyList<PackageSource> sources, bool force, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        if (!force && AlreadyInstalled(target, clock.Elapsed) is { } present)
        {
            return present;
        }
        if (force)
        {
            RefuseReplacingLoaded(target, TorchRuntime.IsLoaded, TorchRuntime.Location);
        }
        var root = Path.GetDirectoryName(target)!;
        var downloads = Path.Combine(root, ".downloads");
        Directory.CreateDirectory(downloads);
        // Two installations of one runtime at once would write the same files: the second is refused, naming the first.
        using var installing = OutputLock.Acquire(target, log);
        // The holder of the lock before us may just have installed it.
        if (!force && AlreadyInstalled(target, clock.Elapsed) is { } installedMeanwhile)
        {
            return installedMeanwhile;
        }
        // The downloads folder is shared by the runtimes of a root (the CPU and the CUDA runtime both need TorchSharp's
        // package, which an installation deletes once it is in place): one installation at a time uses it.
        using var downloading = OutputLock.Acquire(downloads, log);
        using var cache = new SourceCacheContext { NoCache = true };
        var logger = NullLogger.Instance;

        var packages = new List<(RuntimePackage Package, SourceRepository Repository)>();
        foreach (var package in new[] { selection.LibTorch, selection.TorchSharp })
        {
            var (repository, dependencies) = await LocateAsync(package, sources, cache, logger, cancellation);
            packages.Add((package, repository));
            // A CUDA libtorch is a head package whose dependencies are its parts (libtorch-cuda-12.8-linux-x64-part1...).
            foreach (var part in dependencies.Where(d => d.Id.StartsWith(package.Id + "-part", StringComparison.OrdinalIgnoreCase)))
            {
                var (partRepository, _) = await LocateAsync(part, sources, cache, logger, cancellation);
                packages.Add((part, partRepository));
            }
        }

        var installed = new List<InstalledPackage>();
        var files = new List<string>();
        long downloaded = 0;
        foreach (var (package, repository) in packages)
        {
            var (file, bytes, verified) = await DownloadAsync(package, repository, downloads, cache, logger, cancellation);
            downloaded += bytes;
            installed.Add(new InstalledPackage(package.Id, package.Version, repository.PackageSource.Source, new FileInfo(file).Length, verified));
            files.Add(file);
        }

        var staging = target + ".installing";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, true);
        }
        Directory.CreateDirectory(staging);
        bool compatibility;
        try
        {
            compatibility = Stage(staging, files, installed, cancellation);
            Replace(staging, target, log);
        }
        catch
        {
            // Hundreds of MB of half-extracted libraries are of no use to the next attempt; the downloads are kept for it.
            DeleteBestEffort(staging, log);
            throw;
        }
        foreach (var file in files)
        {
            File.Delete(file);
        }
        progress.Report(new RuntimeInstallProgress(Activity, "Done", 1, 1));
        return Result(target, installed, downloaded, compatibility, false, clock.Elapsed);
    }

    /// <summary>The installation already in <paramref name="target"/> when it is complete and fits, else null.</summary>
    private RuntimeInstallation? AlreadyInstalled(string target, TimeSpan elapsed)
    {
        if (!RuntimeLocation.IsComplete(target, selection))
        {
            return null;
        }
        log($"The runtime is already installed in {target}; -Force reinstalls it.");
        return Result(target, ReadManifestPackages(target), 0, File.Exists(Path.Combine(target, LibStdCxxCompatibility.ShimFileName)), true, elapsed);
    }

    /// <summary>
    /// Extracts the packages into <paramref name="staging"/>, joins split files, checks the runtime is complete,
    /// applies the libstdc++ step and writes runtime.json last; returns whether the libstdc++ step was applied.
    /// </summary>
    private bool Stage(string staging, IReadOnlyList<string> files, IReadOnlyList<InstalledPackage> installed, CancellationToken cancellation)
    {
        foreach (var file in files)
        {
            cancellation.ThrowIfCancellationRequested();
            progress.Report(new RuntimeInstallProgress(Activity, $"Extracting {Path.GetFileName(file)}", 0, 0));
            Extract(file, staging);
        }
        RuntimeFragments.Join(staging);
        foreach (var required in new[] { selection.LibTorchSharpFileName, selection.TorchLibraryFileName })
        {
            if (!File.Exists(Path.Combine(staging, required)))
            {
                throw new TorchRuntimeException($"The packages {string.Join(", ", installed.Select(p => $"{p.Id} {p.Version}"))} did not hold {required} under {selection.NativeFolder}: the runtime would not load.");
            }
        }
        var compatibility = ApplyCompatibility(staging);
        AtomicFile.WriteAllText(Path.Combine(staging, RuntimeLocation.ManifestFileName), JsonSerializer.Serialize(new
        {
            runtimeIdentifier = selection.RuntimeIdentifier,
            device = selection.Device.ToString(),
            libTorch = selection.LibTorch.Version,
            torchSharp = selection.TorchSharp.Version,
            libStdCxxCompatibility = compatibility,
            installedUtc = DateTime.UtcNow.ToString("O"),
            packages = installed,
        }, Indented));
        return compatibility;
    }

    /// <summary>
    /// Puts <paramref name="staging"/> in place of <paramref name="target"/> without a moment where neither works:
    /// the old runtime is renamed aside first (on Windows that fails, changing nothing, while a process has it
    /// loaded), the new one renamed in (the old one renamed back if that fails), then the old one deleted as far
    /// as possible (a process may still map its files).
    /// </summary>
    internal static void Replace(string staging, string target, Action<string> log)
    {
        if (!Directory.Exists(target))
        {
            Directory.Move(staging, target);
            return;
        }
        var aside = $"{target}.replaced-{Guid.NewGuid():N}";
        try
        {
            Directory.Move(target, aside);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new TorchRuntimeException($"The runtime in {target} could not be replaced ({error.Message}): a process probably has it loaded. " +
                "Close the PowerShell sessions that use ClinicaDL and run the command again; the runtime there was left as it was.", error);
        }
        try
        {
            Directory.Move(staging, target);
        }
        catch
        {
            Directory.Move(aside, target);
            throw;
        }
        DeleteBestEffort(aside, log);
    }

    private static void DeleteBestEffort(string folder, Action<string> log)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            log($"{folder} could not be deleted ({error.Message}); delete it once no process uses it.");
        }
    }

    private RuntimeInstallation Result(string target, IReadOnlyList<InstalledPackage> packages, long downloaded, bool compatibility, bool already, TimeSpan duration) => new()
    {
        Device = selection.Device.ToString(),
        RuntimeIdentifier = selection.RuntimeIdentifier,
        Path = target,
        Packages = new(packages),
        DownloadedBytes = downloaded,
        InstalledBytes = Directory.EnumerateFiles(target).Sum(f => new FileInfo(f).Length),
        CompatibilityStepApplied = compatibility,
        AlreadyInstalled = already,
        DurationSeconds = duration.TotalSeconds,
    };

    private static List<InstalledPackage> ReadManifestPackages(string target)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(target, RuntimeLocation.ManifestFileName)));
        return manifest?["packages"]?.Deserialize<List<InstalledPackage>>(new JsonSerializerOptions { PropertyNameCaseInsensitive = true }) ?? [];
    }

    /// <summary>The first source that has <paramref name="package"/>, and the package's dependencies there.</summary>
    private async Task<(SourceRepository Repository, IReadOnlyList<RuntimePackage> Dependencies)> LocateAsync(
        RuntimePackage package, IReadOnlyList<PackageSource> sources, SourceCacheContext cache, ILogger logger, CancellationToken cancellation)
    {
        var version = NuGetVersion.Parse(package.Version);
        var failures = new List<string>();
        foreach (var source in sources)
        {
            progress.Report(new RuntimeInstallProgress(Activity, $"Looking for {package} in {source.Name}", 0, 0));
            var repository = Repository.Factory.GetCoreV3(source);
            try
            {
                var finder = await repository.GetResourceAsync<FindPackageByIdResource>(cancellation);
                var info = finder is null ? null : await finder.GetDependencyInfoAsync(package.Id, version, cache, logger, cancellation);
                if (info is null)
                {
                    failures.Add($"{source.Source}: not there");
                    continue;
                }
                log($"{package}: found in {source.Source}.");
                var dependencies = info.DependencyGroups.SelectMany(g => g.Packages)
                    .Select(d => new RuntimePackage(d.Id, (d.VersionRange.MinVersion ?? version).ToNormalizedString())).Distinct().ToList();
                return (repository, dependencies);
            }
            catch (Exception error) when (error is FatalProtocolException or HttpRequestException or IOException)
            {
                failures.Add($"{source.Source}: {error.Message}");
            }
        }
        throw new RuntimePackageNotFoundException($"The package {package} was not found in the NuGet sources of this machine ({string.Join("; ", failures)}). " +
            "Add a source that has it to your NuGet.Config (dotnet nuget add source), or give one with -Source <feed URL or folder>.");
    }

    /// <summary>The package's file in <paramref name="downloads"/>, the bytes fetched now, and whether its hash was checked.</summary>
    private async Task<(string File, long Bytes, bool Verified)> DownloadAsync(RuntimePackage package, SourceRepository repository, string downloads,
        SourceCacheContext cache, ILogger logger, CancellationToken cancellation)
    {
        var name = $"{package.Id.ToLowerInvariant()}.{package.Version}.nupkg";
        var file = Path.Combine(downloads, name);
        var partial = file + ".partial";
        var expected = await PublishedHashAsync(package, repository, cancellation);
        if (File.Exists(file) && (expected is null || Sha512(file) == expected))
        {
            log($"{package}: reusing {file}.");
            return (file, 0, await SignatureHashMatchesAsync(package, file, repository.PackageSource.Source, cancellation) || expected is not null);
        }
        long fetched;
        if (repository.PackageSource.IsHttp)
        {
            fetched = await DownloadHttpAsync(package, repository, partial, cancellation);
        }
        else
        {
            var finder = await repository.GetResourceAsync<FindPackageByIdResource>(cancellation)
                ?? throw new TorchRuntimeException($"{repository.PackageSource.Source} cannot deliver packages.");
            await using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write))
            {
                progress.Report(new RuntimeInstallProgress(Activity, $"Copying {package} from {repository.PackageSource.Source}", 0, 0));
                if (!await finder.CopyNupkgToStreamAsync(package.Id, NuGetVersion.Parse(package.Version), output, cache, logger, cancellation))
                {
                    throw new TorchRuntimeException($"{repository.PackageSource.Source} listed {package} but could not deliver it.");
                }
            }
            fetched = new FileInfo(partial).Length;
        }
        var signed = await SignatureHashMatchesAsync(package, partial, repository.PackageSource.Source, cancellation);
        if (expected is not null)
        {
            var actual = Sha512(partial);
            if (actual != expected)
            {
                File.Delete(partial);
                throw new TorchRuntimeException($"{package} from {repository.PackageSource.Source} does not match the SHA-512 the source publishes " +
                    $"(expected {expected}, got {actual}); the damaged download was deleted. Run the command again.");
            }
            log($"{package}: SHA-512 matches the source's.");
        }
        else
        {
            log($"{package}: {repository.PackageSource.Source} publishes no SHA-512 for it.");
        }
        File.Move(partial, file, overwrite: true);
        return (file, fetched, expected is not null || signed);
    }

    /// <summary>Fetches a package from a v3 feed into <paramref name="partial"/>, resuming after the bytes already there.</summary>
    private async Task<long> DownloadHttpAsync(RuntimePackage package, SourceRepository repository, string partial, CancellationToken cancellation)
    {
        var index = await repository.GetResourceAsync<ServiceIndexResourceV3>(cancellation)
            ?? throw new TorchRuntimeException($"{repository.PackageSource.Source} is not a NuGet v3 feed; give a v3 feed (index.json) or a folder with -Source.");
        var baseAddress = index.GetServiceEntryUri(ServiceTypes.PackageBaseAddress)
            ?? throw new TorchRuntimeException($"{repository.PackageSource.Source} has no package download service (PackageBaseAddress/3.0.0).");
        var id = package.Id.ToLowerInvariant();
        var uri = new Uri($"{baseAddress.AbsoluteUri.TrimEnd('/')}/{id}/{package.Version}/{id}.{package.Version}.nupkg");
        using var http = await HttpClientAsync(repository, cancellation);
        var start = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (start > 0)
        {
            log($"{package}: resuming after {start} bytes already downloaded.");
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (start > 0)
        {
            request.Headers.Range = new RangeHeaderValue(start, null);
        }
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
        {
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                // The partial file is as long as the package (or longer): the hash check decides.
                return 0L;
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new TorchRuntimeException($"Downloading {uri} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
            }
            if (response.StatusCode == HttpStatusCode.PartialContent && !ResumesAt(response, start))
            {
                // Bytes from elsewhere than the end of the partial file would make a damaged package: start over.
                log($"{package}: the server answered the resumption with {response.Content.Headers.ContentRange?.ToString() ?? "no Content-Range"} " +
                    $"instead of bytes {start}-; downloading it whole.");
                response.Dispose();
                File.Delete(partial);
                return await DownloadHttpAsync(package, repository, partial, cancellation);
            }
            var resumed = response.StatusCode == HttpStatusCode.PartialContent;
            var offset = resumed ? start : 0;
            var total = offset + (response.Content.Headers.ContentLength ?? 0);
            await using var input = await response.Content.ReadAsStreamAsync(cancellation);
            await using var output = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write);
            var buffer = new byte[1 << 20];
            var done = offset;
            var reported = Stopwatch.StartNew();
            int read;
            while ((read = await input.ReadAsync(buffer, cancellation)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, read), cancellation);
                done += read;
                if (reported.ElapsedMilliseconds > 200)
                {
                    progress.Report(new RuntimeInstallProgress(Activity, $"Downloading {package} ({done / 1048576} of {total / 1048576} MB)", done, total));
                    reported.Restart();
                }
            }
            return done - offset;
        }
    }

    /// <summary>Whether a 206 answer holds the bytes from <paramref name="start"/> on, as its Content-Range says.</summary>
    internal static bool ResumesAt(HttpResponseMessage response, long start) =>
        response.StatusCode == HttpStatusCode.PartialContent
        && response.Content.Headers.ContentRange is { HasRange: true, From: { } from } && from == start;

    /// <summary>An HTTP client through NuGet's handler for the source: its proxy and the credentials NuGet.Config gives it.</summary>
    private static async Task<HttpClient> HttpClientAsync(SourceRepository repository, CancellationToken cancellation)
    {
        var handler = await repository.GetResourceAsync<HttpHandlerResource>(cancellation)
            ?? throw new TorchRuntimeException($"{repository.PackageSource.Source} cannot be reached over HTTP.");
        return new HttpClient(handler.MessageHandler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// The SHA-512 (base 64) the source publishes for a package: a v3 feed's catalog entry (packageHash), or the
    /// .nupkg.sha512 file of a folder in the global-packages layout; null when the source publishes none.
    /// </summary>
    private static async Task<string?> PublishedHashAsync(RuntimePackage package, SourceRepository repository, CancellationToken cancellation)
    {
        var id = package.Id.ToLowerInvariant();
        if (!repository.PackageSource.IsHttp)
        {
            var sidecar = Path.Combine(repository.PackageSource.Source, id, package.Version, $"{id}.{package.Version}.nupkg.sha512");
            return File.Exists(sidecar) ? File.ReadAllText(sidecar).Trim() : null;
        }
        var registration = await repository.GetResourceAsync<RegistrationResourceV3>(cancellation);
        if (registration is null)
        {
            return null;
        }
        using var http = await HttpClientAsync(repository, cancellation);
        var leaf = await GetJsonAsync(http, registration.GetUri(package.Id, NuGetVersion.Parse(package.Version)), cancellation);
        var entry = leaf?["catalogEntry"];
        if (entry is JsonValue value && value.TryGetValue<string>(out var catalogUri))
        {
            entry = await GetJsonAsync(http, new Uri(catalogUri), cancellation);
        }
        return entry?["packageHashAlgorithm"]?.GetValue<string>() is "SHA512" ? entry["packageHash"]?.GetValue<string>() : null;
    }

    /// <summary>
    /// Checks a signed package's content against the hash its signature holds (nuget.org signs every package), so
    /// that a damaged or altered download is refused even from a feed that publishes no hash. The signer's
    /// certificate is not judged here: the hash is. Returns false for an unsigned package.
    /// </summary>
    private async Task<bool> SignatureHashMatchesAsync(RuntimePackage package, string file, string source, CancellationToken cancellation)
    {
        try
        {
            using var reader = new PackageArchiveReader(file);
            if (!await reader.IsSignedAsync(cancellation))
            {
                log($"{package}: not signed.");
                return false;
            }
            var signature = await reader.GetPrimarySignatureAsync(cancellation)
                ?? throw new InvalidDataException("the package says it is signed but has no signature");
            await reader.ValidateIntegrityAsync(signature.SignatureContent, cancellation);
            log($"{package}: content matches the {signature.SignatureContent.HashAlgorithm} hash of its signature.");
            return true;
        }
        catch (Exception error) when (error is SignatureException or InvalidDataException or IOException)
        {
            File.Delete(file);
            throw new TorchRuntimeException($"{package} from {source} does not match the hash of its own signature ({error.Message}); " +
                "the damaged download was deleted. Run the command again.");
        }
    }

    private static async Task<JsonNode?> GetJsonAsync(HttpClient http, Uri uri, CancellationToken cancellation)
    {
        using var response = await http.GetAsync(uri, cancellation);
        return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellation)) : null;
    }

    private static string Sha512(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToBase64String(SHA512.HashData(stream));
    }

    /// <summary>The package's native libraries into <paramref name="staging"/>; pieces of split files into its fragments folder.</summary>
    private void Extract(string package, string staging)
    {
        using var archive = ZipFile.OpenRead(package);
        foreach (var entry in archive.Entries)
        {
            var destination = RuntimeFragments.Destination(selection, entry.FullName, staging);
            if (destination is not null)
            {
                entry.ExtractToFile(destination, overwrite: true);
            }
        }
    }

    /// <summary>
    /// On Linux with a libstdc++ older than GCC 13's, TorchSharp's library is patched and the compatibility library
    /// the module ships is put beside it (see <see cref="LibStdCxxCompatibility"/>); returns whether that was needed.
    /// </summary>
    private bool ApplyCompatibility(string staging)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        var libStdCxx = LibStdCxxCompatibility.LoadedLibStdCxx();
        if (libStdCxx is not null && LibStdCxxCompatibility.Provides(libStdCxx))
        {
            log($"libstdc++ compatibility: not needed ({libStdCxx} has {LibStdCxxCompatibility.RequiredVersion}).");
            return false;
        }
        var shim = Path.Combine(moduleDirectory, LibStdCxxCompatibility.ShimFileName);
        if (!File.Exists(shim))
        {
            throw new TorchRuntimeException($"This system's libstdc++ ({libStdCxx ?? "unknown"}) lacks {LibStdCxxCompatibility.RequiredVersion}, which TorchSharp needs, " +
                $"and the module has no {LibStdCxxCompatibility.ShimFileName} to make up for it in {moduleDirectory}. Reinstall the module (Install-PSResource ClinicaDL -Reinstall).");
        }
        var torchSharp = Path.Combine(staging, selection.LibTorchSharpFileName);
        if (LibStdCxxCompatibility.Requires(torchSharp))
        {
            LibStdCxxCompatibility.Patch(torchSharp);
        }
        File.Copy(shim, Path.Combine(staging, LibStdCxxCompatibility.ShimFileName), overwrite: true);
        log($"libstdc++ compatibility: applied ({libStdCxx} lacks {LibStdCxxCompatibility.RequiredVersion}).");
        return true;
    }
}
