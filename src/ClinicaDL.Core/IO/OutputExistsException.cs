namespace ClinicaDL.Core.IO;

/// <summary>An output (MAPS, data set, split, extraction, report...) already exists and replacing it was not asked for.</summary>
public class OutputExistsException(string path, string message) : IOException(message)
{
    public string Path { get; } = path;
}
