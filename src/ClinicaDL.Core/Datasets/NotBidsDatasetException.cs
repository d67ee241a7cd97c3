namespace ClinicaDL.Core.Datasets;

/// <summary>A folder read as BIDS that has no subject: the message says what it looks like instead (a CAPS, most often).</summary>
public sealed class NotBidsDatasetException(string message, string path) : Exception(message)
{
    public string DatasetPath { get; } = path;
}
