using System.Text.RegularExpressions;
using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Conversion;

/// <summary>
/// dcm2niix, the DICOM to NIfTI converter the field trusts: found on PATH (or at a given path), run on one series
/// at a time, in a folder of its own, with BIDS sidecars (-b y) anonymised by dcm2niix itself (-ba y) and gzip (-z y).
/// </summary>
public sealed partial class Dcm2Niix
{
    /// <summary>How to get dcm2niix on each system, for the message of a missing one.</summary>
    public const string InstallHelp =
        "Install dcm2niix: on Debian/Ubuntu 'sudo apt-get install dcm2niix'; on macOS 'brew install dcm2niix'; on Windows download " +
        "dcm2niix_win.zip from https://github.com/rordenlab/dcm2niix/releases, unzip it and add its folder to PATH (or give its path " +
        "with -Dcm2niixPath). Everywhere: 'conda install -c conda-forge dcm2niix' or 'pip install dcm2niix'.";

    private Dcm2Niix(string executable, string version)
    {
        ExecutablePath = executable;
        Version = version;
    }

    public string ExecutablePath { get; }

    /// <summary>dcm2niix's version as it reports it (v1.0.20220720).</summary>
    public string Version { get; }

    /// <summary>Finds dcm2niix at <paramref name="explicitPath"/> (a file, or a folder holding it) or on PATH, and asks its version.</summary>
    public static Dcm2Niix Locate(string? explicitPath)
    {
        var names = OperatingSystem.IsWindows() ? new[] { "dcm2niix.exe", "dcm2niix" } : ["dcm2niix"];
        string? executable;
        if (explicitPath is not null)
        {
            var full = Path.GetFullPath(explicitPath);
            executable = Directory.Exists(full) ? names.Select(n => Path.Combine(full, n)).FirstOrDefault(File.Exists) : File.Exists(full) ? full : null;
            if (executable is null)
            {
                throw new ConversionException(ConversionFailure.Dcm2niixNotFound, full, $"dcm2niix is not at '{full}'. {InstallHelp}");
            }
        }
        else
        {
            executable = ExternalCommand.FindOnPath(names);
            if (executable is null)
            {
                throw new ConversionException(ConversionFailure.Dcm2niixNotFound, "dcm2niix", $"dcm2niix, which converts DICOM series, is not on PATH. {InstallHelp}");
            }
        }
        try
        {
            var (_, output) = Run(executable, ["--version"], CancellationToken.None);
            var version = VersionPattern().Match(output);
            return new Dcm2Niix(executable, version.Success ? version.Groups[1].Value : "unknown");
        }
        catch (Exception error) when (error is System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
        {
            throw new ConversionException(ConversionFailure.Dcm2niixNotFound, executable, $"'{executable}' cannot be run ({error.Message}). {InstallHelp}", error);
        }
    }

    /// <summary>
    /// Converts one series: its files are linked (copied where links cannot be made) into a folder of their own so
    /// dcm2niix sees nothing else, and its images land in <paramref name="outputFolder"/>. Returns the NIfTI files made.
    /// </summary>
    public IReadOnlyList<string> Convert(DicomSeries series, string workFolder, string outputFolder, CancellationToken cancellation)
    {
        var input = Path.Combine(workFolder, "dicom");
        Directory.CreateDirectory(input);
        Directory.CreateDirectory(outputFolder);
        var index = 0;
        foreach (var file in series.Files)
        {
            var link = Path.Combine(input, $"{index++:D6}.dcm");
            try
            {
                File.CreateSymbolicLink(link, file);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                File.Copy(file, link);
            }
        }
        var (exitCode, output) = Run(ExecutablePath, ["-b", "y", "-ba", "y", "-z", "y", "-d", "0", "-f", "%3s_%p", "-o", outputFolder, input], cancellation);
        var images = Directory.EnumerateFiles(outputFolder).Where(f => f.EndsWith(".nii.gz", StringComparison.Ordinal) || f.EndsWith(".nii", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        if (exitCode != 0 || images.Count == 0)
        {
            var said = string.Join(" ", output.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("Chris Rorden", StringComparison.Ordinal)).TakeLast(4));
            throw new ConversionException(ConversionFailure.Dcm2niixFailed, series.Folder,
                $"dcm2niix made no image of the series '{series.First.SeriesDescription ?? series.SeriesInstanceUid}' in '{series.Folder}' (exit code {exitCode}): {said}");
        }
        return images;
    }

    private static (int ExitCode, string Output) Run(string executable, IEnumerable<string> arguments, CancellationToken cancellation)
    {
        var run = ExternalCommand.Run(executable, arguments, cancellation);
        return (run.ExitCode, run.Combined);
    }

    [GeneratedRegex(@"(v\d+\.\d+\.\d+\w*)")]
    private static partial Regex VersionPattern();
}
