namespace ClinicaDL.Core.Search;

/// <summary>What Start-ClinicaDLRandomSearch asks for.</summary>
public sealed class SearchOptions
{
    /// <summary>The random_search.toml.</summary>
    public required string ConfigPath { get; init; }

    /// <summary>The search folder: random_search.json and one MAPS per trial.</summary>
    public required string OutputPath { get; init; }

    /// <summary>How many trials the search has once this call ends (an existing search grows to it).</summary>
    public required int Trials { get; init; }

    /// <summary>The search seed; null: the recorded one for an existing search, 0 for a new one.</summary>
    public long? Seed { get; init; }

    /// <summary>The device each trial trains on (cpu, cuda, cuda:N); null: the file's, or for a resumed trial the one it started on.</summary>
    public string? Device { get; init; }

    /// <summary>torch threads per trial; null: the file's (or libtorch's default).</summary>
    public int? Threads { get; init; }

    /// <summary>The folder relative paths of a new search's file are found from (the current location).</summary>
    public required string BaseDirectory { get; init; }
}
