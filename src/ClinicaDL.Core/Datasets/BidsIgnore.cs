using System.Text.RegularExpressions;

namespace ClinicaDL.Core.Datasets;

/// <summary>
/// The <c>.bidsignore</c> patterns of a dataset, with gitignore's meaning: a pattern without a slash matches a
/// name at any depth, one with a slash matches from the root, a trailing slash matches a folder and all below it.
/// </summary>
public sealed class BidsIgnore
{
    private readonly List<Regex> _patterns;

    private BidsIgnore(List<Regex> patterns) => _patterns = patterns;

    public static BidsIgnore Load(string datasetPath)
    {
        var file = Path.Combine(datasetPath, ".bidsignore");
        if (!File.Exists(file))
        {
            return new BidsIgnore([]);
        }
        var patterns = File.ReadAllLines(file)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(ToRegex)
            .ToList();
        return new BidsIgnore(patterns);
    }

    /// <summary>Whether a path relative to the dataset root (with '/' separators) is ignored.</summary>
    public bool IsIgnored(string relativePath) => _patterns.Any(p => p.IsMatch(relativePath.Replace('\\', '/')));

    private static Regex ToRegex(string pattern)
    {
        var body = pattern.Trim('/');
        var anchored = pattern.TrimEnd('/').Contains('/');
        var regex = Regex.Escape(body)
            .Replace(@"\*\*", "\u0001")
            .Replace(@"\*", "[^/]*")
            .Replace(@"\?", "[^/]")
            .Replace("\u0001", ".*");
        var prefix = anchored ? "^" : "(^|.*/)";
        // Whatever a pattern matches, it matches with everything below it.
        return new Regex(prefix + regex + "(/.*)?$", RegexOptions.CultureInvariant);
    }
}
