using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ClinicaDL.Core.Training;
using Tomlyn;
using Tomlyn.Model;

namespace ClinicaDL.Core.Search;

/// <summary>
/// A random_search.toml read as ClinicaDL's get_space_dict reads it: the [Random_Search] section (its mandatory keys,
/// ClinicaDL's defaults for the others) and every other section as a train configuration (build_train_dict: the
/// same sections and keys as a training TOML, of the task sections only the search's task's). A sampled key holds a
/// value or a range/list to draw from; each is checked here, so an error names the file, the key and what was expected
/// before any trial is drawn.
/// </summary>
public sealed class SearchSpace
{
    /// <summary>The section of the search's own keys.</summary>
    public const string SectionName = "Random_Search";

    /// <summary>ClinicaDL's mandatory keys of [Random_Search].</summary>
    public static readonly IReadOnlyList<string> MandatoryKeys = ["network_task", "tsv_path", "caps_directory", "preprocessing_json", "n_convblocks", "first_conv_width", "n_fcblocks"];

    /// <summary>ClinicaDL's defaults of the optional [Random_Search] keys.</summary>
    public static readonly IReadOnlyDictionary<string, JsonNode> Defaults = new Dictionary<string, JsonNode>
    {
        ["d_reduction"] = JsonValue.Create("MaxPooling"), ["network_normalization"] = JsonValue.Create("BatchNorm"), ["channels_limit"] = JsonValue.Create(512),
        ["n_conv"] = JsonValue.Create(1), ["wd_bool"] = JsonValue.Create(true),
    };

    /// <summary>The dimension reductions RandomArchitecture has.</summary>
    public static readonly IReadOnlyList<string> Reductions = ["MaxPooling", "stride"];

    /// <summary>The normalisations RandomArchitecture has.</summary>
    public static readonly IReadOnlyList<string> Normalizations = ["BatchNorm", "InstanceNorm", "None"];

    private SearchSpace(string path, string text, string baseDirectory, JsonObject search, JsonObject training)
    {
        (Path, Text, BaseDirectory, Search, Training) = (path, text, baseDirectory, search, training);
        Sha256 = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>The file's text, as read.</summary>
    public string Text { get; }

    /// <summary>SHA-256 of the text (UTF-8), lower-case hex.</summary>
    public string Sha256 { get; }

    /// <summary>The folder relative paths of the file were resolved from.</summary>
    public string BaseDirectory { get; }

    /// <summary>[Random_Search] with ClinicaDL's defaults filled in (preprocessing_json stays the extraction's name).</summary>
    public JsonObject Search { get; }

    /// <summary>
    /// The train configuration keys the file gives (every section but [Random_Search]), with the search's network_task,
    /// caps_directory and tsv_path (full paths) and the keys its extraction sets (preprocessing_dict, mode, preprocessing).
    /// Sampled keys still hold what the file gave (a range or a list).
    /// </summary>
    public JsonObject Training { get; }

    /// <summary>The search's task (classification or regression).</summary>
    public string NetworkTask => Search["network_task"]!.GetValue<string>();

    /// <summary>Reads and checks <paramref name="path"/>; relative paths in it are found from <paramref name="baseDirectory"/>.</summary>
    public static SearchSpace Read(string path, string baseDirectory)
    {
        var full = System.IO.Path.GetFullPath(path, baseDirectory);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"The random search file '{full}' does not exist.", full);
        }
        return Parse(full, File.ReadAllText(full), baseDirectory);
    }

    /// <summary>Checks the text of a random_search.toml (<paramref name="path"/> names it in errors).</summary>
    public static SearchSpace Parse(string path, string text, string baseDirectory)
    {
        TomlTable table;
        try
        {
            table = TomlSerializer.Deserialize<TomlTable>(text, (TomlSerializerOptions?)null!) ?? new TomlTable();
        }
        catch (TomlException error)
        {
            throw new SearchSpaceException(path, $"not valid TOML: {error.Message}", error);
        }
        if (!table.TryGetValue(SectionName, out var section) || section is not TomlTable searchTable)
        {
            throw new SearchSpaceException(path, $"no [{SectionName}] section: ClinicaDL's random search reads its own keys ({string.Join(", ", MandatoryKeys)}...) from it.");
        }
        var search = new JsonObject();
        foreach (var (key, value) in searchTable)
        {
            search[key] = ToJson(value);
        }
        CheckSearchKeys(path, search);
        var task = search["network_task"]!.GetValue<string>();
        var training = new JsonObject();
        foreach (var (sectionName, keys) in table)
        {
            if (sectionName == SectionName)
            {
                continue;
            }
            if (keys is not TomlTable values)
            {
                throw new SearchSpaceException(path, $"'{sectionName}' is a key outside any section; a train configuration's keys go in its sections ([Model], [Architecture], [Optimization]...).");
            }
            if (TrainingTask.All.Any(t => t.Name.Equals(sectionName, StringComparison.OrdinalIgnoreCase)) && !sectionName.Equals(task, StringComparison.OrdinalIgnoreCase))
            {
                // As ClinicaDL's remove_unused_tasks: the other tasks' label, loss and selection metrics.
                continue;
            }
            foreach (var (key, value) in values)
            {
                training[key] = ToJson(value);
            }
        }
        CheckTrainingKeys(path, training);
        var caps = ResolvePath(path, search, "caps_directory", baseDirectory);
        var tsv = ResolvePath(path, search, "tsv_path", baseDirectory);
        training["network_task"] = task;
        training["caps_directory"] = caps;
        training["tsv_path"] = tsv;
        if (training["transfer_path"] is { } transfer)
        {
            // A path or a list of paths to choose from (ClinicaDL samples transfer_path by choice); false or "" is none.
            JsonNode? Resolve(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var text) && text.Length > 0
                ? System.IO.Path.GetFullPath(text, baseDirectory) : node?.DeepClone();
            training["transfer_path"] = transfer is JsonArray paths ? new JsonArray(paths.Select(Resolve).ToArray()) : Resolve(transfer);
        }
        var extraction = TextOf(path, search, "preprocessing_json");
        try
        {
            foreach (var (key, value) in Extraction.ExtractionOptions.TrainingKeys(caps, extraction, null))
            {
                training[key] = JsonSerializer.SerializeToNode(value);
            }
        }
        catch (Exception error) when (error is ArgumentException or IOException)
        {
            throw new SearchSpaceException(path, $"[{SectionName}] preprocessing_json = '{extraction}' (an extraction JSON of the CAPS' tensor_extraction folder, as ClinicaDL): {error.Message}", error);
        }
        return new SearchSpace(path, text, baseDirectory, search, training);
    }

    private static void CheckSearchKeys(string path, JsonObject search)
    {
        var missing = MandatoryKeys.Where(k => !search.ContainsKey(k)).ToList();
        if (missing.Count > 0)
        {
            throw new SearchSpaceException(path, $"[{SectionName}] lacks {string.Join(", ", missing)}: ClinicaDL's random search needs {string.Join(", ", MandatoryKeys)}.");
        }
        foreach (var (key, value) in Defaults)
        {
            if (!search.ContainsKey(key))
            {
                search[key] = JsonNode.Parse(value.ToJsonString());
            }
        }
        foreach (var key in search.Select(k => k.Key))
        {
            if (MandatoryKeys.Contains(key) || Defaults.ContainsKey(key))
            {
                continue;
            }
            throw new SearchSpaceException(path, TrainingKeys.Contains(key) || ClinicaDLOnlyKeys.Contains(key)
                ? $"[{SectionName}] {key} is a training key: give it in its section of the train configuration ([Model], [Architecture], [Data], [Optimization]...), " +
                  $"where ClinicaDL reads it ([{SectionName}] holds only {string.Join(", ", MandatoryKeys.Concat(Defaults.Keys))})."
                : $"[{SectionName}] has an unknown key '{key}'; it holds {string.Join(", ", MandatoryKeys.Concat(Defaults.Keys))}.");
        }
        var task = TextOf(path, search, "network_task");
        if (task is not ("classification" or "regression"))
        {
            throw new SearchSpaceException(path, $"[{SectionName}] network_task: expected classification or regression (RandomArchitecture is a CNN; ClinicaDL has no random search for reconstruction); got '{task}'.");
        }
        TextOf(path, search, "tsv_path");
        TextOf(path, search, "caps_directory");
        TextOf(path, search, "preprocessing_json");
        CheckValue(path, SectionName, "n_convblocks", search["n_convblocks"], SamplingKind.RandInt, minimum: 1);
        CheckValue(path, SectionName, "n_fcblocks", search["n_fcblocks"], SamplingKind.RandInt, minimum: 1);
        CheckValue(path, SectionName, "first_conv_width", search["first_conv_width"], SamplingKind.Choice, minimum: 1);
        CheckValue(path, SectionName, "n_conv", search["n_conv"], SamplingKind.Choice, minimum: 1);
        CheckValue(path, SectionName, "channels_limit", search["channels_limit"], SamplingKind.Fixed, minimum: 1);
        CheckChoices(path, "d_reduction", search["d_reduction"], Reductions);
        CheckChoices(path, "network_normalization", search["network_normalization"], Normalizations);
        foreach (var flag in Options(search["wd_bool"]))
        {
            if (flag is not JsonValue value || value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw new SearchSpaceException(path, $"[{SectionName}] wd_bool: expected true, false or a list of them to choose from; got {search["wd_bool"]?.ToJsonString()}.");
            }
        }
    }

    private static void CheckTrainingKeys(string path, JsonObject training)
    {
        foreach (var (key, value) in training)
        {
            if (key is "architecture")
            {
                throw new SearchSpaceException(path, "architecture: a random search trains RandomArchitecture networks drawn from [Random_Search]; leave architecture out.");
            }
            if (key is "network_task" or "caps_directory" or "tsv_path" or "preprocessing_json" or "n_fcblocks" or "network_normalization" || MandatoryKeys.Contains(key) || Defaults.ContainsKey(key))
            {
                throw new SearchSpaceException(path, $"{key} belongs in [{SectionName}] (ClinicaDL's random search reads it there).");
            }
            if (key == TrialSampler.ConvolutionsKey)
            {
                throw new SearchSpaceException(path, $"{key}: a random search draws the blocks from [{SectionName}] n_convblocks, first_conv_width, n_conv, d_reduction and channels_limit; leave it out.");
            }
            var kind = TrialSampler.KindOf(key);
            if (kind is SamplingKind.RandInt or SamplingKind.Uniform or SamplingKind.Exponent)
            {
                CheckValue(path, "train configuration", key, value, kind, minimum: kind == SamplingKind.RandInt ? 1 : null);
            }
            else if (kind == SamplingKind.Choice && value is JsonArray { Count: 0 })
            {
                throw new SearchSpaceException(path, $"{key}: an empty list leaves nothing to choose; give a value or a list of values.");
            }
        }
    }

    /// <summary>
    /// A sampled key: a single value (fixed; for exponent the x of 10^-x), or a range [a, b] with a &lt;= b for randint,
    /// uniform and exponent (integers for randint), or a non-empty list for choice.
    /// </summary>
    private static void CheckValue(string path, string section, string key, JsonNode? value, SamplingKind kind, long? minimum)
    {
        var place = section == SectionName ? $"[{SectionName}] {key}" : key;
        var integers = kind is SamplingKind.RandInt || (kind is SamplingKind.Choice or SamplingKind.Fixed && minimum is not null);
        string Expected() => kind switch
        {
            SamplingKind.RandInt => $"an integer or a range [a, b] of integers to draw from (randint, both ends included){Minimum()}",
            SamplingKind.Uniform => "a number or a range [a, b] to draw from uniformly",
            SamplingKind.Exponent => "a number x (the value is 10^-x) or a range [a, b] to draw x from uniformly (exponent)",
            SamplingKind.Choice => $"an integer or a list of integers to choose from{Minimum()}",
            _ => $"an integer{Minimum()}",
        };
        string Minimum() => minimum is null ? "" : $", each at least {minimum}";
        SearchSpaceException Wrong(string why) => new(path, $"{place}: expected {Expected()}; {why}.");
        bool IsNumber(JsonNode? node, out double number)
        {
            number = double.NaN;
            if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
            {
                return false;
            }
            number = v.GetValue<double>();
            return !integers || (double.IsInteger(number) && (minimum is null || number >= minimum));
        }
        if (value is JsonArray array)
        {
            if (kind == SamplingKind.Fixed)
            {
                throw Wrong($"got the list {array.ToJsonString()} (ClinicaDL does not sample this key)");
            }
            if (kind == SamplingKind.Choice)
            {
                if (array.Count == 0 || array.Any(e => !IsNumber(e, out _)))
                {
                    throw Wrong($"got {array.ToJsonString()}");
                }
                return;
            }
            if (array.Count != 2)
            {
                throw Wrong($"got {array.Count} value(s), {array.ToJsonString()}");
            }
            if (!IsNumber(array[0], out var a) || !IsNumber(array[1], out var b))
            {
                throw Wrong($"got {array.ToJsonString()}");
            }
            if (a > b)
            {
                throw Wrong($"got [{a}, {b}], whose lower end is above its upper end");
            }
            return;
        }
        if (!IsNumber(value, out _))
        {
            throw Wrong($"got {value?.ToJsonString() ?? "nothing"}");
        }
    }

    private static void CheckChoices(string path, string key, JsonNode? value, IReadOnlyList<string> allowed)
    {
        var options = Options(value);
        if (options.Count == 0 || options.Any(o => o is not JsonValue v || !v.TryGetValue<string>(out var text) || !allowed.Contains(text)))
        {
            throw new SearchSpaceException(path, $"[{SectionName}] {key}: expected {string.Join(", ", allowed)} or a list of them to choose from; got {value?.ToJsonString()}.");
        }
    }

    private static List<JsonNode?> Options(JsonNode? value) => value is JsonArray array ? array.ToList() : [value];

    private static string TextOf(string path, JsonObject search, string key) =>
        search[key] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0
            ? text : throw new SearchSpaceException(path, $"[{SectionName}] {key}: expected a non-empty text; got {search[key]?.ToJsonString()}.");

    private static string ResolvePath(string path, JsonObject search, string key, string baseDirectory) => System.IO.Path.GetFullPath(TextOf(path, search, key), baseDirectory);

    /// <summary>The keys of a train configuration (TrainingConfig's, and ClinicaDL's others).</summary>
    private static readonly HashSet<string> TrainingKeys = typeof(TrainingConfig).GetProperties()
        .Select(p => p.GetCustomAttributes(typeof(JsonPropertyNameAttribute), false).OfType<JsonPropertyNameAttribute>().FirstOrDefault()?.Name)
        .OfType<string>().ToHashSet(StringComparer.Ordinal);

    private static JsonNode? ToJson(object? value) => value switch
    {
        TomlArray array => new JsonArray(array.Select(ToJson).ToArray()),
        TomlTable table => new JsonObject(table.Select(kv => KeyValuePair.Create(kv.Key, ToJson(kv.Value)))),
        _ => JsonSerializer.SerializeToNode(value),
    };
}
