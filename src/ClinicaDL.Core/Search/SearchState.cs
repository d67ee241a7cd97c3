using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Search;

/// <summary>
/// What a search folder remembers in random_search.json, written atomically before any trial trains: the
/// random_search.toml it was started with (its text and SHA-256), the seed, the folder its relative paths were
/// resolved from, and each trial's drawn configuration. A search continues only with the same file and seed, so
/// every trial, trained now or later, comes from one search space.
/// </summary>
public sealed class SearchState
{
    /// <summary>The state file's name in the search folder.</summary>
    public const string FileName = "random_search.json";

    /// <summary>The format of the state file, written in it.</summary>
    public const string Format = "clinicadl-powershell/random-search/1";

    public required string TomlPath { get; init; }
    public required string Toml { get; init; }
    public required string TomlSha256 { get; init; }
    public required long Seed { get; init; }
    public required string BaseDirectory { get; init; }

    /// <summary>The trials drawn so far, by index from 0.</summary>
    public required IReadOnlyList<SampledTrial> Trials { get; init; }

    /// <summary>The state file of the search folder <paramref name="folder"/>.</summary>
    public static string PathIn(string folder) => Path.Combine(folder, FileName);

    /// <summary>Whether <paramref name="folder"/> holds a search's state file.</summary>
    public static bool Exists(string folder) => File.Exists(PathIn(folder));

    /// <summary>A new search's state for <paramref name="space"/> and <paramref name="seed"/>, with no trial yet.</summary>
    public static SearchState Start(SearchSpace space, long seed) => new()
    {
        TomlPath = space.Path, Toml = space.Text, TomlSha256 = space.Sha256, Seed = seed, BaseDirectory = space.BaseDirectory, Trials = [],
    };

    /// <summary>This state with the trials 0..<paramref name="count"/>-1: the kept ones as they were drawn, the new ones drawn now.</summary>
    public SearchState WithTrials(SearchSpace space, int count) => new()
    {
        TomlPath = TomlPath, Toml = Toml, TomlSha256 = TomlSha256, Seed = Seed, BaseDirectory = BaseDirectory,
        Trials = Trials.Concat(Enumerable.Range(Trials.Count, Math.Max(0, count - Trials.Count)).Select(i => TrialSampler.Sample(space, Seed, i))).ToList(),
    };

    /// <summary>
    /// Refuses to continue this search with <paramref name="space"/> or <paramref name="seed"/> when either differs from
    /// what it was started with, and with fewer trials than it has.
    /// </summary>
    public void CheckContinuation(string folder, SearchSpace space, long? seed, int trials)
    {
        if (space.Sha256 != TomlSha256)
        {
            throw new SearchStateException(folder, $"The search in '{folder}' was started with another random_search.toml (SHA-256 {TomlSha256[..12]}..., from '{TomlPath}'); " +
                $"'{space.Path}' now reads differently (SHA-256 {space.Sha256[..12]}...). Its trials were drawn from the first file: continue it with that file " +
                $"(random_search.json keeps its text under \"toml\"), or start a new search in another folder.");
        }
        if (seed is { } asked && asked != Seed)
        {
            throw new SearchStateException(folder, $"The search in '{folder}' was started with seed {Seed}; -Seed {asked} would draw other trials. Leave -Seed out (or give {Seed}) to continue it, or start a new search in another folder.");
        }
        if (trials < Trials.Count)
        {
            throw new SearchStateException(folder, $"The search in '{folder}' has {Trials.Count} trials; -Trials {trials} cannot shrink it: give {Trials.Count} to complete it, or more to extend it.");
        }
    }

    /// <summary>Writes the state file of <paramref name="folder"/> atomically.</summary>
    public void Write(string folder)
    {
        var json = new JsonObject
        {
            ["format"] = Format, ["seed"] = Seed, ["toml_path"] = TomlPath, ["toml_sha256"] = TomlSha256, ["toml"] = Toml, ["base_directory"] = BaseDirectory,
            ["trial_count"] = Trials.Count,
            ["trials"] = new JsonArray(Trials.Select(t => (JsonNode)new JsonObject
            {
                ["name"] = t.Name, ["index"] = t.Index, ["sampled"] = t.Sampled.DeepClone(), ["configuration"] = t.Configuration.DeepClone(),
            }).ToArray()),
        };
        AtomicFile.WriteAllText(PathIn(folder), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>The state of the search folder <paramref name="folder"/>.</summary>
    public static SearchState Read(string folder)
    {
        var path = PathIn(folder);
        if (!File.Exists(path))
        {
            throw new SearchStateException(folder, $"'{folder}' holds no random search ({FileName} is absent): Start-ClinicaDLRandomSearch makes one.");
        }
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new FormatException("it holds no JSON object");
            if (json["format"]?.GetValue<string>() != Format)
            {
                throw new FormatException($"its format is '{json["format"]}', expected '{Format}'");
            }
            return new SearchState
            {
                TomlPath = Required(json, "toml_path").GetValue<string>(), Toml = Required(json, "toml").GetValue<string>(),
                TomlSha256 = Required(json, "toml_sha256").GetValue<string>(), Seed = Required(json, "seed").GetValue<long>(),
                BaseDirectory = Required(json, "base_directory").GetValue<string>(),
                Trials = Required(json, "trials").AsArray().Select((t, i) => new SampledTrial
                {
                    Index = t?["index"]?.GetValue<int>() == i ? i : throw new FormatException($"trial {i} has the index {t?["index"]}"),
                    Sampled = Required(t!.AsObject(), "sampled").DeepClone().AsObject(),
                    Configuration = Required(t.AsObject(), "configuration").DeepClone().AsObject(),
                }).ToList(),
            };
        }
        catch (Exception error) when (error is JsonException or FormatException or InvalidOperationException)
        {
            throw new SearchStateException(folder, $"'{path}' cannot be read: {error.Message}. It is written by Start-ClinicaDLRandomSearch; a damaged one cannot be continued.");
        }
    }

    private static JsonNode Required(JsonObject json, string key) => json[key] ?? throw new FormatException($"it lacks \"{key}\"");
}
