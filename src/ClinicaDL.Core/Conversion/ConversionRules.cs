using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClinicaDL.Core.Conversion;

/// <summary>
/// The rules of a conversion, read from a dcm2bids-style configuration (<c>{"descriptions": [...]}</c>, with
/// dcm2bids's field names old and new) or from a plain list of rules. Anything this module would not honour is
/// refused with the field named, never ignored: unknown fields, BIDS datatypes, suffixes or entities that do not
/// exist, malformed criteria.
/// </summary>
public sealed class ConversionRules
{
    private static readonly Dictionary<string, string> RuleFields = new(StringComparer.Ordinal)
    {
        ["id"] = "id", ["datatype"] = "datatype", ["dataType"] = "datatype", ["suffix"] = "suffix", ["modalityLabel"] = "suffix",
        ["criteria"] = "criteria", ["entities"] = "entities", ["custom_entities"] = "entities", ["customEntities"] = "entities",
        ["customLabels"] = "entities", ["sidecar_changes"] = "sidecar_changes", ["sidecarChanges"] = "sidecar_changes",
    };

    private static readonly Dictionary<string, string> TopFields = new(StringComparer.Ordinal)
    {
        ["descriptions"] = "descriptions", ["rules"] = "descriptions", ["search_method"] = "search_method", ["searchMethod"] = "search_method",
        ["case_sensitive"] = "case_sensitive", ["caseSensitive"] = "case_sensitive", ["dup_method"] = "dup_method", ["dupMethod"] = "dup_method",
    };

    private ConversionRules(IReadOnlyList<ConversionRule> rules, string source)
    {
        Rules = rules;
        Source = source;
    }

    public IReadOnlyList<ConversionRule> Rules { get; }

    /// <summary>The file the rules came from, or a description of where they came from.</summary>
    public string Source { get; }

    /// <summary>Reads a JSON rule file.</summary>
    public static ConversionRules Load(string path)
    {
        var full = Path.GetFullPath(path);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(full), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException error)
        {
            throw Invalid(full, $"it is not valid JSON ({error.Message})");
        }
        return Parse(root, full);
    }

    /// <summary>Reads rules given as JSON nodes: a list of rules, or an object with "descriptions" (dcm2bids) or "rules".</summary>
    public static ConversionRules Parse(JsonNode? root, string source)
    {
        // Nodes built from .NET values (PowerShell hashtables) become the same kind as parsed ones.
        root = root is null ? null : JsonNode.Parse(root.ToJsonString());
        JsonArray? list;
        var regex = false;
        var caseSensitive = true;
        if (root is JsonObject top && (top.ContainsKey("descriptions") || top.ContainsKey("rules") || !top.Any(p => RuleFields.ContainsKey(p.Key))))
        {
            foreach (var (key, _) in top)
            {
                if (!TopFields.ContainsKey(key))
                {
                    throw Invalid(source, $"its field '{key}' is not one this module reads; the fields of a rule file are descriptions (or rules), search_method, case_sensitive and dup_method" +
                        (key is "post_op" or "extractors" or "dcm2niixOptions" or "compKeys" ? $" (dcm2bids's '{key}' is not supported)" : ""));
                }
            }
            list = Field(top, "descriptions") as JsonArray ?? throw Invalid(source, "it has no list of rules ('descriptions' or 'rules')");
            var method = Field(top, "search_method")?.ToString() ?? "fnmatch";
            regex = method switch
            {
                "fnmatch" => false,
                "re" => true,
                _ => throw Invalid(source, $"search_method '{method}' is neither 'fnmatch' (shell wildcards) nor 're' (regular expressions)"),
            };
            caseSensitive = Field(top, "case_sensitive") is not { } sensitive || sensitive.GetValueKind() != JsonValueKind.False;
            if (Field(top, "dup_method")?.ToString() is { } dup && dup != "run")
            {
                throw Invalid(source, $"dup_method '{dup}' is not supported: images that would get the same name are numbered with run-<n>");
            }
        }
        else
        {
            list = root as JsonArray ?? (root is JsonObject single ? [single.DeepClone()] : throw Invalid(source, "it holds no rules"));
        }
        if (list.Count == 0)
        {
            throw Invalid(source, "its list of rules is empty");
        }
        var rules = new List<ConversionRule>();
        for (var index = 0; index < list.Count; index++)
        {
            rules.Add(ParseRule(list[index], index, source, regex, caseSensitive));
        }
        var duplicate = rules.GroupBy(r => r.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw Invalid(source, $"two rules have the id '{duplicate.Key}'");
        }
        return new ConversionRules(rules, source);
    }

    private static JsonNode? Field(JsonObject obj, string canonical) =>
        obj.FirstOrDefault(p => TopFields.GetValueOrDefault(p.Key) == canonical || RuleFields.GetValueOrDefault(p.Key) == canonical).Value;

    private static ConversionRule ParseRule(JsonNode? node, int index, string source, bool regex, bool caseSensitive)
    {
        var where = $"rule {index + 1}";
        if (node is not JsonObject rule)
        {
            throw Invalid(source, $"{where} is not an object with datatype, suffix and criteria");
        }
        if (rule["id"]?.ToString() is { } named)
        {
            where += $" ('{named}')";
        }
        Exception Fail(string reason) => Invalid(source, $"{where}: {reason}");
        foreach (var (key, _) in rule)
        {
            if (!RuleFields.ContainsKey(key))
            {
                throw Fail($"the field '{key}' is not a rule field; a rule has datatype, suffix, criteria, and optionally id, entities (or custom_entities) and sidecar_changes" +
                    (key is "intendedFor" or "IntendedFor" ? " (dcm2bids's IntendedFor is not supported)" : ""));
            }
        }
        var datatype = Field(rule, "datatype")?.ToString() ?? throw Fail("it has no datatype (anat, func, dwi, fmap, perf, pet...)");
        if (!BidsNaming.Suffixes.ContainsKey(datatype))
        {
            throw Fail($"'{datatype}' is not a BIDS datatype; they are {string.Join(", ", BidsNaming.Suffixes.Keys)}");
        }
        var suffix = Field(rule, "suffix")?.ToString() ?? throw Fail("it has no suffix (T1w, FLAIR, bold, dwi, pet...)");
        if (!BidsNaming.IsSuffix(datatype, suffix))
        {
            throw Fail($"'{suffix}' is not a BIDS suffix of {datatype}; those are {string.Join(", ", BidsNaming.Suffixes[datatype])}");
        }
        var entities = ParseEntities(Field(rule, "entities"), Fail);
        if (Field(rule, "criteria") is not JsonObject criteriaNode || criteriaNode.Count == 0)
        {
            throw Fail("it has no criteria (an object of sidecar field -> pattern, e.g. {\"SeriesDescription\": \"*T1*\"})");
        }
        var criteria = criteriaNode.Select(c => RuleCriterion.Parse(c.Key, c.Value, regex, caseSensitive, Fail)).ToList();
        var changes = Field(rule, "sidecar_changes") switch
        {
            null => null,
            JsonObject obj => (JsonObject)obj.DeepClone(),
            _ => throw Fail("sidecar_changes must be an object of sidecar field -> value"),
        };
        var id = rule["id"]?.ToString() ?? $"{datatype}/{BidsNaming.Stem("x", null, entities, suffix)[6..]}";
        return new ConversionRule(id, datatype, suffix, entities, criteria, changes);
    }

    /// <summary>Entities as an object ({"acq": "highres"}) or dcm2bids's "acq-highres_task-rest" text or list of such texts.</summary>
    private static Dictionary<string, string> ParseEntities(JsonNode? node, Func<string, Exception> fail)
    {
        var pairs = new List<(string Key, string Value)>();
        switch (node)
        {
            case null:
                break;
            case JsonObject obj:
                pairs.AddRange(obj.Select(p => (p.Key, p.Value?.ToString() ?? "")));
                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    pairs.AddRange(Split(item?.ToString() ?? ""));
                }
                break;
            default:
                pairs.AddRange(Split(node.ToString()));
                break;
        }
        var entities = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            if (key is "sub" or "ses")
            {
                throw fail($"the entity '{key}' comes from the participant mapping (-ParticipantId, -SessionId, -ParticipantMap), not from a rule");
            }
            if (!BidsNaming.EntityOrder.Contains(key))
            {
                throw fail($"'{key}' is not a BIDS entity; they are {string.Join(", ", BidsNaming.EntityOrder.Skip(2))}");
            }
            if (!BidsNaming.IsValue(key, value))
            {
                throw fail(BidsNaming.IndexEntities.Contains(key)
                    ? $"the value '{value}' of {key} is not an index (a whole number)"
                    : $"the value '{value}' of {key} is not a BIDS label (letters, digits and '+' only)");
            }
            if (!entities.TryAdd(key, value))
            {
                throw fail($"the entity '{key}' is given twice");
            }
        }
        return entities;
    }

    private static IEnumerable<(string, string)> Split(string text) => text.Split('_', StringSplitOptions.RemoveEmptyEntries)
        .Select(part => part.IndexOf('-') is var dash and > 0 ? (part[..dash], part[(dash + 1)..]) : (part, ""));

    private static ConversionException Invalid(string source, string reason) =>
        new(ConversionFailure.InvalidConversionRules, source, $"The conversion rules of '{source}' are not valid: {reason}.");
}
