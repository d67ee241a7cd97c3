namespace ClinicaDL.Core.Networks;

/// <summary>
/// A network file that cannot be read or built: the message names the file, and where it can the layer (its
/// position, kind and name) and what was expected.
/// </summary>
public sealed class NetworkFileException : Exception
{
    public NetworkFileException(string path, string problem, Exception? inner = null)
        : base($"Network file '{path}': {problem}", inner)
    {
        Path = path;
    }

    /// <summary>The network file.</summary>
    public string Path { get; }
}
