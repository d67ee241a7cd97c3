using ClinicaDL.Core.Selection;

namespace ClinicaDL.Core.Maps;

/// <summary>
/// Checks the splits, selection metrics and data groups a command asks of a MAPS against those it has, so a
/// typo is an error naming what exists instead of a silently empty result.
/// </summary>
public static class MapsSelection
{
    /// <summary>Each asked split the MAPS lacks (split-&lt;k&gt; folders).</summary>
    public static IReadOnlyList<MissingName> MissingSplits(MapsFolder maps, IEnumerable<int>? splits)
    {
        var present = maps.Splits;
        return (splits ?? []).Distinct().Where(s => !present.Contains(s))
            .Select(s => new MissingName(NotFoundKind.Split, s.ToString(System.Globalization.CultureInfo.InvariantCulture), Describe(maps), Names(present))).ToList();
    }

    /// <summary>Each asked selection metric that was not trained (the MAPS keeps a best model only for those).</summary>
    public static IReadOnlyList<MissingName> MissingSelectionMetrics(MapsFolder maps, IEnumerable<string>? metrics, IReadOnlyList<string> trained) =>
        (metrics ?? []).Distinct(StringComparer.Ordinal).Where(m => !trained.Contains(m, StringComparer.Ordinal))
            .Select(m => new MissingName(NotFoundKind.SelectionMetric, m, Describe(maps), trained)).ToList();

    /// <summary>Throws for the first missing name: commands that act on a MAPS check every filter before writing anything.</summary>
    public static void ThrowIfAny(IEnumerable<MissingName> missing)
    {
        if (missing.FirstOrDefault() is { } first)
        {
            throw new NotFoundException(first);
        }
    }

    internal static string Describe(MapsFolder maps) => $"The MAPS '{maps.Root}'";

    internal static List<string> Names(IEnumerable<int> splits) => splits.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
}
