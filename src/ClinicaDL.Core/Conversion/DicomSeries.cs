namespace ClinicaDL.Core.Conversion;

/// <summary>The files of one DICOM series (one SeriesInstanceUID) found under the inputs, with the header of its first file.</summary>
public sealed class DicomSeries
{
    internal DicomSeries(DicomHeader first) => Headers = [first];

    public string SeriesInstanceUid => First.SeriesInstanceUid!;

    /// <summary>The header of the first file found: the series-level fields (description, patient, study) are the same in all.</summary>
    public DicomHeader First => Headers[0];

    internal List<DicomHeader> Headers { get; }

    public IEnumerable<string> Files => Headers.Select(h => h.Path);

    /// <summary>The folder holding the series' files (their deepest common folder).</summary>
    public string Folder
    {
        get
        {
            var folder = System.IO.Path.GetDirectoryName(First.Path)!;
            foreach (var file in Files)
            {
                while (!file.StartsWith(folder + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal) && System.IO.Path.GetDirectoryName(folder) is { } parent)
                {
                    folder = parent;
                }
            }
            return folder;
        }
    }
}
