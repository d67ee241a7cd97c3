using System.Security.Cryptography;

namespace ClinicaDL.Core.Runtime;

/// <summary>
/// TorchSharp splits native libraries too large for one NuGet package: the primary piece is in a "-primary"
/// package under runtimes/&lt;rid&gt;/native/ with the whole file's SHA-256 beside it (X.sha), the following pieces in
/// "-fragment1", "-fragment2"... packages under fragments/&lt;rid&gt;/native/X.fragment1... (TorchSharp's
/// RestitchPackage.targets joins them at build time; the installer does it here).
/// </summary>
public static class RuntimeFragments
{
    /// <summary>The folder under a runtime's staging folder that holds the pieces and checksums until they are joined.</summary>
    public const string FolderName = ".fragments";

    /// <summary>Where a package entry goes in the staging folder, or null when the runtime does not need it.</summary>
    public static string? Destination(RuntimeSelection selection, string entryPath, string staging)
    {
        var path = entryPath.Replace('\\', '/');
        if (selection.IsNeeded(path))
        {
            return Path.Combine(staging, Path.GetFileName(path));
        }
        var isChecksum = path.StartsWith(selection.NativeFolder, StringComparison.OrdinalIgnoreCase) && path.EndsWith(".sha", StringComparison.OrdinalIgnoreCase);
        var isPiece = path.StartsWith(selection.FragmentFolder, StringComparison.OrdinalIgnoreCase) && FragmentNumber(path) > 0;
        if (!isChecksum && !isPiece)
        {
            return null;
        }
        var folder = Directory.CreateDirectory(Path.Combine(staging, FolderName)).FullName;
        return Path.Combine(folder, Path.GetFileName(path));
    }

    /// <summary>
    /// Appends each split file's pieces in order and checks the whole against its SHA-256; removes the pieces. A
    /// checksum whose pieces are all missing is checked too, against the primary piece alone: a part package left out
    /// of the head package's dependencies would otherwise install a truncated library.
    /// </summary>
    public static void Join(string staging)
    {
        var folder = Path.Combine(staging, FolderName);
        if (!Directory.Exists(folder))
        {
            return;
        }
        var files = Directory.EnumerateFiles(folder).ToList();
        var pieces = files.Where(f => FragmentNumber(f) > 0).ToLookup(f => Path.GetFileName(f)[..Path.GetFileName(f).LastIndexOf(".fragment", StringComparison.Ordinal)]);
        var checksummed = files.Where(f => f.EndsWith(".sha", StringComparison.OrdinalIgnoreCase)).Select(Path.GetFileNameWithoutExtension).OfType<string>();
        foreach (var name in checksummed.Concat(pieces.Select(g => g.Key)).Distinct())
        {
            var primary = Path.Combine(staging, name);
            var checksum = Path.Combine(folder, name + ".sha");
            if (!File.Exists(primary) || !File.Exists(checksum))
            {
                throw new TorchRuntimeException($"{name} comes in pieces, but its {(File.Exists(primary) ? "checksum (.sha)" : "primary piece")} is missing from the packages: a part package was not downloaded.");
            }
            var ordered = pieces[name].OrderBy(FragmentNumber).ToList();
            var numbers = ordered.Select(FragmentNumber).ToList();
            if (!numbers.SequenceEqual(Enumerable.Range(1, numbers.Count)))
            {
                throw new TorchRuntimeException($"{name}: pieces {string.Join(", ", numbers)} were found; pieces 1 to {numbers.Max()} are needed.");
            }
            var joined = primary + ".joining";
            using (var output = new FileStream(joined, FileMode.Create, FileAccess.Write))
            {
                foreach (var part in new[] { primary }.Concat(ordered))
                {
                    using var input = File.OpenRead(part);
                    input.CopyTo(output);
                }
            }
            var expected = File.ReadAllText(checksum).Trim().ToLowerInvariant();
            string actual;
            using (var stream = File.OpenRead(joined))
            {
                actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            }
            if (actual != expected)
            {
                File.Delete(joined);
                throw new TorchRuntimeException($"{name} joined from {ordered.Count + 1} piece(s) has SHA-256 {actual}, but its package says {expected}: a piece is damaged. Run the command again with -Force.");
            }
            File.Move(joined, primary, overwrite: true);
        }
        Directory.Delete(folder, true);
    }

    /// <summary>K for a file named X.fragmentK, 0 otherwise.</summary>
    private static int FragmentNumber(string path)
    {
        var name = Path.GetFileName(path);
        var at = name.LastIndexOf(".fragment", StringComparison.Ordinal);
        return at > 0 && int.TryParse(name[(at + ".fragment".Length)..], out var number) ? number : 0;
    }
}
