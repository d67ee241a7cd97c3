using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ClinicaDL.Core.Conversion;

/// <summary>
/// One condition of a rule on one sidecar field, in dcm2bids's forms: a text pattern (shell wildcards, or a regular
/// expression), a number or boolean (equality), a list (element by element, for list fields such as ImageType), or
/// an object of operators: any (one of several patterns), regex, wildcard, eq, lt, le, gt, ge, btw (inclusive
/// range [low, high]) and contains (an element of a list field matches). Several operators must all hold.
/// </summary>
public sealed class RuleCriterion
{
    private static readonly string[] Operators = ["any", "regex", "wildcard", "eq", "lt", "le", "gt", "ge", "btw", "contains"];

    private readonly Func<JsonNode?, bool> _test;

    private RuleCriterion(string field, string description, Func<JsonNode?, bool> test)
    {
        Field = field;
        Description = description;
        _test = test;
    }

    /// <summary>The sidecar field tested.</summary>
    public string Field { get; }

    /// <summary>The condition as a person reads it ("matches 'ax_*'", "between 0.01 and 0.05").</summary>
    public string Description { get; }

    /// <summary>Null when the sidecar meets the condition, else why not.</summary>
    public string? Explain(JsonObject sidecar)
    {
        if (!sidecar.TryGetPropertyValue(Field, out var value) || value is null)
        {
            return $"{Field} is absent from the sidecar";
        }
        return _test(value) ? null : $"{Field} {Show(value)} does not {Description}";
    }

    /// <summary>Builds a criterion; <paramref name="fail"/> makes the exception for a malformed one.</summary>
    internal static RuleCriterion Parse(string field, JsonNode? pattern, bool regexByDefault, bool caseSensitive, Func<string, Exception> fail)
    {
        switch (pattern)
        {
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return Text(field, value.GetValue<string>(), regexByDefault, caseSensitive, fail);
            case JsonValue value when value.GetValueKind() is JsonValueKind.Number:
                var number = value.GetValue<double>();
                return new RuleCriterion(field, $"equal {Format(number)}", node => Number(node) is { } n && Close(n, number));
            case JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                var flag = value.GetValue<bool>();
                return new RuleCriterion(field, $"equal {flag.ToString().ToLowerInvariant()}", node => node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False && v.GetValue<bool>() == flag);
            case JsonArray list:
                var elements = list.Select(e => Parse(field, e, regexByDefault, caseSensitive, fail)).ToList();
                return new RuleCriterion(field, $"match [{string.Join(", ", elements.Select(e => e.Description))}] element by element",
                    node => node is JsonArray items && items.Count == elements.Count && elements.Zip(items).All(pair => pair.First._test(pair.Second)));
            case JsonObject operators when operators.Count > 0:
                var parts = operators.Select(o => Operator(field, o.Key, o.Value, regexByDefault, caseSensitive, fail)).ToList();
                return new RuleCriterion(field, string.Join(" and ", parts.Select(p => p.Description)), node => parts.All(p => p._test(node)));
            default:
                throw fail($"the criterion on {field} is {(pattern is null ? "null" : pattern.ToJsonString())}; expected a text pattern, a number, a boolean, a list or an object of operators ({string.Join(", ", Operators)})");
        }
    }

    private static RuleCriterion Operator(string field, string name, JsonNode? argument, bool regexByDefault, bool caseSensitive, Func<string, Exception> fail)
    {
        double Bound() => argument is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>()
            : throw fail($"'{name}' on {field} needs a number, not {argument?.ToJsonString() ?? "null"}");
        switch (name.ToLowerInvariant())
        {
            case "any":
                if (argument is not JsonArray { Count: > 0 } choices)
                {
                    throw fail($"'any' on {field} needs a list of patterns");
                }
                var options = choices.Select(c => Parse(field, c, regexByDefault, caseSensitive, fail)).ToList();
                return new RuleCriterion(field, string.Join(" or ", options.Select(o => o.Description)), node => options.Any(o => o._test(node)));
            case "regex" or "wildcard":
                if (argument is not JsonValue text || text.GetValueKind() != JsonValueKind.String)
                {
                    throw fail($"'{name}' on {field} needs a text pattern");
                }
                return Text(field, text.GetValue<string>(), name.Equals("regex", StringComparison.OrdinalIgnoreCase), caseSensitive, fail);
            case "eq":
                return Parse(field, argument, regexByDefault, caseSensitive, fail);
            case "lt": { var b = Bound(); return new RuleCriterion(field, $"lie below {Format(b)}", n => Number(n) < b); }
            case "le": { var b = Bound(); return new RuleCriterion(field, $"lie at or below {Format(b)}", n => Number(n) <= b); }
            case "gt": { var b = Bound(); return new RuleCriterion(field, $"lie above {Format(b)}", n => Number(n) > b); }
            case "ge": { var b = Bound(); return new RuleCriterion(field, $"lie at or above {Format(b)}", n => Number(n) >= b); }
            case "btw":
                if (argument is not JsonArray { Count: 2 } range || range.Any(r => r is not JsonValue v || v.GetValueKind() != JsonValueKind.Number))
                {
                    throw fail($"'btw' on {field} needs two numbers [low, high]");
                }
                var (low, high) = (range[0]!.GetValue<double>(), range[1]!.GetValue<double>());
                return new RuleCriterion(field, $"lie between {Format(low)} and {Format(high)}", n => Number(n) is { } x && x >= low && x <= high);
            case "contains":
                var element = Parse(field, argument, regexByDefault, caseSensitive, fail);
                return new RuleCriterion(field, $"contain an element that does {element.Description}", n => n is JsonArray items && items.Any(element._test));
            default:
                throw fail($"'{name}' on {field} is not an operator; the operators are {string.Join(", ", Operators)}");
        }
    }

    private static RuleCriterion Text(string field, string pattern, bool regex, bool caseSensitive, Func<string, Exception> fail)
    {
        var options = RegexOptions.CultureInvariant | (caseSensitive ? RegexOptions.None : RegexOptions.IgnoreCase);
        Regex compiled;
        try
        {
            // dcm2bids's 're' search is Python's re.match: anchored at the start only. Wildcards match the whole value.
            compiled = new Regex(regex ? $"^(?:{pattern})" : WildcardToRegex(pattern), options, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException error)
        {
            throw fail($"the pattern '{pattern}' on {field} is not a valid regular expression ({error.Message})");
        }
        return new RuleCriterion(field, regex ? $"match the regular expression '{pattern}'" : $"match '{pattern}'",
            node => node is JsonValue && compiled.IsMatch(Text(node)));
    }

    /// <summary>fnmatch's wildcards: * any text, ? one character, [abc] and [!abc] character sets.</summary>
    private static string WildcardToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            var close = c == '[' ? pattern.IndexOf(']', i + 2) : -1;
            if (c == '*')
            {
                regex.Append(".*");
            }
            else if (c == '?')
            {
                regex.Append('.');
            }
            else if (close > 0)
            {
                var set = pattern[(i + 1)..close];
                regex.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                i = close;
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }
        return regex.Append('$').ToString();
    }

    private static string Text(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.String
        ? value.GetValue<string>()
        : node?.ToJsonString() ?? "";

    private static double? Number(JsonNode? node) => node is JsonValue value
        ? value.GetValueKind() == JsonValueKind.Number ? value.GetValue<double>()
        : value.GetValueKind() == JsonValueKind.String && double.TryParse(value.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : null
        : null;

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Show(JsonNode value)
    {
        var text = value.ToJsonString();
        return text.Length > 60 ? text[..57] + "..." : text;
    }
}
