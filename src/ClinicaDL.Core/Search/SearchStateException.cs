namespace ClinicaDL.Core.Search;

/// <summary>
/// A search folder that cannot be started or continued as asked: its random_search.toml or seed changed since the
/// search began, fewer trials than it has, or a folder that holds something other than a search.
/// </summary>
public sealed class SearchStateException(string path, string message) : Exception(message)
{
    /// <summary>The search folder.</summary>
    public string Path { get; } = path;
}
