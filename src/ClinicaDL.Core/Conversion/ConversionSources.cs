using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Conversion;

/// <summary>What the inputs hold: DICOM series (grouped by SeriesInstanceUID), loose NIfTI and ANALYZE images, and the problems met.</summary>
public sealed class ConversionSources
{
    private static readonly string[] ImageExtensions = [".nii.gz", ".nii", ".hdr"];

    public List<DicomSeries> Series { get; } = [];

    /// <summary>NIfTI files and ANALYZE headers (.hdr of a .hdr/.img pair).</summary>
    public List<string> Images { get; } = [];

    /// <summary>Corrupt DICOM files and inputs without any image; each is reported and the others go on.</summary>
    public List<ConversionException> Problems { get; } = [];

    /// <summary>Series with a corrupt file: left out whole, since converting them would silently miss slices.</summary>
    public HashSet<string> TaintedSeries { get; } = new(StringComparer.Ordinal);

    public static bool IsImage(string path) => ImageExtensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>Walks the input files and folders (links to folders are not followed).</summary>
    public static ConversionSources Scan(IEnumerable<string> inputs, Action<string>? log, CancellationToken cancellation)
    {
        var sources = new ConversionSources();
        var byUid = new Dictionary<string, DicomSeries>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            var full = Path.GetFullPath(input);
            var files = Directory.Exists(full) ? FileTree.Files(full, "*").Order(StringComparer.Ordinal).ToList() : [full];
            var found = 0;
            foreach (var file in files)
            {
                cancellation.ThrowIfCancellationRequested();
                if (!seen.Add(file))
                {
                    continue;
                }
                if (IsImage(file))
                {
                    sources.Images.Add(file);
                    found++;
                }
                else if (file.EndsWith(".img", StringComparison.OrdinalIgnoreCase) && !Directory.Exists(full))
                {
                    // An ANALYZE .img named alone stands for its pair.
                    var header = Path.ChangeExtension(file, ".hdr");
                    if (seen.Add(header))
                    {
                        sources.Images.Add(header);
                    }
                    found++;
                }
                else if (DicomHeader.IsDicom(file))
                {
                    found++;
                    sources.AddDicom(file, byUid, log);
                }
            }
            if (found == 0)
            {
                sources.Problems.Add(new ConversionException(ConversionFailure.NoDicomFound, full, Directory.Exists(full)
                    ? $"'{full}' holds no DICOM file (none has the \"DICM\" marker), and no NIfTI or ANALYZE image."
                    : $"'{full}' is neither a DICOM file nor a NIfTI (.nii, .nii.gz) or ANALYZE (.hdr/.img) image."));
            }
        }
        return sources;
    }

    private void AddDicom(string file, Dictionary<string, DicomSeries> byUid, Action<string>? log)
    {
        DicomHeader header;
        try
        {
            header = DicomHeader.Read(file);
        }
        catch (CorruptDicomException corrupt)
        {
            Problems.Add(corrupt);
            if (corrupt.SeriesInstanceUid is { } uid)
            {
                TaintedSeries.Add(uid);
            }
            return;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            Problems.Add(new CorruptDicomException(file, $"it cannot be read ({error.Message})"));
            return;
        }
        if (!header.HasPixelData || header.SeriesInstanceUid is null)
        {
            log?.Invoke($"'{file}' is DICOM without an image (a DICOMDIR, report or presentation state): left aside.");
            return;
        }
        if (byUid.TryGetValue(header.SeriesInstanceUid, out var series))
        {
            series.Headers.Add(header);
        }
        else
        {
            series = new DicomSeries(header);
            byUid.Add(header.SeriesInstanceUid, series);
            Series.Add(series);
        }
    }
}
