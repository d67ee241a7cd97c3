namespace ClinicaDL.Core.Search;

/// <summary>
/// A random_search.toml that cannot be searched: the message names the file, the key (with its section) and what
/// was expected there.
/// </summary>
public sealed class SearchSpaceException : Exception
{
    public SearchSpaceException(string path, string problem, Exception? inner = null)
        : base($"'{path}': {problem}", inner)
    {
        Path = path;
    }

    /// <summary>The random_search.toml.</summary>
    public string Path { get; }
}
