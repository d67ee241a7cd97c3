using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ClinicaDL.PowerShell.Completers;

/// <summary>Turns candidate values into completion results for the word being typed (prefix match, quoted when needed).</summary>
internal static class CompletionValues
{
    public static IEnumerable<CompletionResult> Matching(IEnumerable<string> values, string wordToComplete)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        return values.Distinct(StringComparer.Ordinal)
            .Where(v => v.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(v => new CompletionResult(v.IndexOfAny([' ', '+', '\'', '"', '$', '`']) >= 0 ? $"'{v}'" : v, v, CompletionResultType.ParameterValue, v));
    }

    /// <summary>The MAPS folder given on the same command line (-MapsPath), resolved against the current location.</summary>
    public static string? MapsPath(IDictionary fakeBoundParameters) => Folder(fakeBoundParameters, "MapsPath");

    /// <summary>An existing folder given to a parameter on the same command line, resolved against the current location.</summary>
    public static string? Folder(IDictionary fakeBoundParameters, string parameter)
    {
        if (fakeBoundParameters[parameter] is not { } value)
        {
            return null;
        }
        var path = value.ToString()!;
        var full = Path.IsPathRooted(path) ? path : Path.Combine(Environment.CurrentDirectory, path);
        return Directory.Exists(full) ? full : null;
    }
}
