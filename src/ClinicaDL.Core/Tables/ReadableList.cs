using System.Collections.ObjectModel;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace ClinicaDL.Core.Tables;

/// <summary>
/// A read-only list whose text is its items ("0.25; 0.75"). Output objects hold their lists as this type because
/// CSV writers (PowerShell's Export-Csv among them) write a property's ToString(), which for an array is its type
/// name ("System.Double[]"); scripts still index and enumerate it, and JSON writers still see an array.
/// </summary>
[CollectionBuilder(typeof(ReadableList), nameof(ReadableList.Create))]
public sealed class ReadableList<T> : ReadOnlyCollection<T>
{
    private readonly string _separator;

    /// <param name="items">The items, copied.</param>
    /// <param name="separator">Between items in the text: "; " by default, "x" for a shape (91x109x91).</param>
    public ReadableList(IEnumerable<T> items, string separator = "; ")
        : base(items.ToArray())
    {
        _separator = separator;
    }

    public override string ToString() => string.Join(_separator, this.Select(item => ReadableText.Of(item)));
}

/// <summary>Builds a <see cref="ReadableList{T}"/> from a collection expression (<c>Tasks = ["classification"]</c>).</summary>
public static class ReadableList
{
    public static ReadableList<T> Create<T>(ReadOnlySpan<T> items) => new(items.ToArray());
}

/// <summary>
/// A read-only map whose text is its entries ("BA=0.75; loss=0.42"), for the same reason as
/// <see cref="ReadableList{T}"/>; scripts read entries by key (<c>$result.BestEpoch.BA</c>) and JSON writers see an object.
/// </summary>
public sealed class ReadableDictionary<TValue> : ReadOnlyDictionary<string, TValue>
{
    public ReadableDictionary(IEnumerable<KeyValuePair<string, TValue>> entries)
        : base(new Dictionary<string, TValue>(entries, StringComparer.Ordinal))
    {
    }

    public override string ToString() => string.Join("; ", this.Select(entry => $"{entry.Key}={ReadableText.Of(entry.Value)}"));
}

/// <summary>One value as a cell shows it: numbers in the invariant culture (doubles at round-trip precision); nothing for null.</summary>
internal static class ReadableText
{
    public static string Of(object? value) => value switch
    {
        null => "",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
