using System.Text.Json.Nodes;

namespace ClinicaDL.Core.Training;

/// <summary>
/// The keys of ClinicaDL 1.6's train configuration (train_config.toml, maps.json) that have no setting in this
/// module, each with the value ClinicaDL gives it by default and what it does. A key that would change training
/// at another value (fully sharded data parallel) is refused at that value, never dropped; a key that only
/// ClinicaDL's random search reads while it samples a trial (never its training), one ClinicaDL itself never
/// reads, and one maps.json records as a fact of the data are accepted whatever their value, and
/// named in one note. The ones from train_config.toml are written back into maps.json, so ClinicaDL reads every
/// key it writes.
/// </summary>
public static class ClinicaDLOnlyKeys
{
    private enum Effect
    {
        /// <summary>Another value changes what ClinicaDL trains: refused unless at the default.</summary>
        ChangesTraining,

        /// <summary>Read only by ClinicaDL's random search while it samples a trial: no effect on training.</summary>
        SearchOnly,

        /// <summary>Never read by ClinicaDL 1.6's training, or written by it into maps.json as a fact of the data.</summary>
        Descriptive,
    }

    private sealed record Key(string Name, JsonNode? Default, Effect Effect, string Why, bool InTrainConfig = true);

    private static readonly Key[] Keys =
    [
        new("fully_sharded_data_parallel", false, Effect.ChangesTraining, "fully_sharded_data_parallel shards a model over several GPU processes; this module trains in one process"),
        new("normalization", "batch", Effect.Descriptive, "unused by ClinicaDL 1.6"),
        new("use_extracted_features", false, Effect.Descriptive, "unused by ClinicaDL 1.6"),
        new("validation", null, Effect.Descriptive, "facts ClinicaDL records in maps.json", InTrainConfig: false),
        new("num_networks", null, Effect.Descriptive, "facts ClinicaDL records in maps.json", InTrainConfig: false),
        new("output_size", null, Effect.Descriptive, "facts ClinicaDL records in maps.json", InTrainConfig: false),
        new("input_size", null, Effect.Descriptive, "facts ClinicaDL records in maps.json", InTrainConfig: false),
        // random search's sampling ranges: a trial's configuration carries what they gave (convolutions_dict, n_fcblocks...), which RandomArchitecture reads.
        new("n_convblocks", null, Effect.SearchOnly, "random search's sampling", InTrainConfig: false),
        new("first_conv_width", null, Effect.SearchOnly, "random search's sampling", InTrainConfig: false),
        new("channels_limit", null, Effect.SearchOnly, "random search's sampling", InTrainConfig: false),
        new("d_reduction", null, Effect.SearchOnly, "random search's sampling", InTrainConfig: false),
        new("wd_bool", null, Effect.SearchOnly, "random search's sampling", InTrainConfig: false),
    ];

    private static readonly Dictionary<string, Key> ByName = Keys.ToDictionary(k => k.Name, StringComparer.Ordinal);

    public static bool Contains(string key) => ByName.ContainsKey(key);

    /// <summary>
    /// What cannot be honoured among these keys as given: one reason per key whose value would change training,
    /// naming the key, its value and the value that changes nothing.
    /// </summary>
    public static IReadOnlyList<string> Unhonoured(IReadOnlyDictionary<string, JsonNode?> values) =>
        values.Where(v => ByName.TryGetValue(v.Key, out var key) && key.Effect == Effect.ChangesTraining && !IsDefault(v.Value, key.Default))
            .OrderBy(v => v.Key, StringComparer.Ordinal)
            .Select(v => $"{ByName[v.Key].Why} (got {v.Value?.ToJsonString() ?? "null"}; {v.Key} = {ByName[v.Key].Default!.ToJsonString()} is the only value accepted)")
            .ToList();

    /// <summary>
    /// The one note for the keys a configuration gave that change nothing here: these keys (grouped by why; not the
    /// ones <see cref="Unhonoured"/> refuses), any key ClinicaDL 1.6's train does not have, and the caller's other
    /// groups of settings without effect (each "keys (why)"); null when there are none.
    /// </summary>
    public static string? Note(IReadOnlyDictionary<string, JsonNode?> given, IEnumerable<string> unknown, IEnumerable<string>? otherGroups = null)
    {
        var groups = given.Where(g => ByName.TryGetValue(g.Key, out var key) && (key.Effect != Effect.ChangesTraining || IsDefault(g.Value, key.Default)))
            .Select(g => g.Key).Order(StringComparer.Ordinal)
            .GroupBy(k => ByName[k].Effect switch
            {
                Effect.SearchOnly => $"read only by {ByName[k].Why}, not by training",
                Effect.ChangesTraining => "at ClinicaDL's default, which changes nothing",
                _ => ByName[k].Why,
            })
            .Select(g => $"{string.Join(", ", g)} ({g.Key})")
            .ToList();
        groups.AddRange(otherGroups ?? []);
        var strangers = unknown.Distinct().Order(StringComparer.Ordinal).ToList();
        if (strangers.Count > 0)
        {
            groups.Add($"{string.Join(", ", strangers)} (not keys of ClinicaDL 1.6's train)");
        }
        return groups.Count == 0 ? null : $"Configuration keys without effect here, ignored: {string.Join("; ", groups)}.";
    }

    /// <summary>
    /// These keys as maps.json records them, so ClinicaDL finds every train_config.toml key it reads: the value the
    /// configuration gave, else ClinicaDL's default.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, JsonNode?>> ForMapsJson(IReadOnlyDictionary<string, JsonNode?> given) =>
        Keys.Where(k => k.InTrainConfig)
            .Select(k => KeyValuePair.Create(k.Name, given.TryGetValue(k.Name, out var value) ? value?.DeepClone() : k.Default?.DeepClone()));

    /// <summary>
    /// A value that changes nothing: the default itself, 1 for 1.0, and for a default of "" (no SSDA path) also
    /// false and null, which ClinicaDL's path_decoder reads as no path.
    /// </summary>
    private static bool IsDefault(JsonNode? given, JsonNode? expected)
    {
        // Re-parsed, so a value built in code, read from TOML or read from JSON converts alike.
        var value = given is null ? null : JsonNode.Parse(given.ToJsonString());
        var @default = expected is null ? null : JsonNode.Parse(expected.ToJsonString());
        if (@default is JsonValue text && text.TryGetValue<string>(out var empty) && empty.Length == 0)
        {
            return value is null
                || (value is JsonValue v && ((v.TryGetValue<string>(out var s) && s.Length == 0) || (v.TryGetValue<bool>(out var b) && !b)));
        }
        if (value is JsonValue number && @default is JsonValue reference && number.TryGetValue<double>(out var x) && reference.TryGetValue<double>(out var y))
        {
            return x == y;
        }
        return JsonNode.DeepEquals(value, @default);
    }
}
