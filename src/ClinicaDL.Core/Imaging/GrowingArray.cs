namespace ClinicaDL.Core.Imaging;

/// <summary>
/// An array filled front to back that grows (doubling, never past the size the header declares) as decoded data
/// arrive. A gzip stream's decoded length is known only at its end, so a header's claim alone never decides an
/// allocation: a small file that claims a huge image costs memory in proportion to what it really holds.
/// </summary>
internal sealed class GrowingArray<T>
{
    private readonly long _declared;
    private T[] _items;
    private int _count;

    /// <param name="declared">The final length the header declares (already checked against the array limit).</param>
    /// <param name="initial">The first allocation; the declared length when the file is known to hold it.</param>
    public GrowingArray(long declared, long initial)
    {
        _declared = declared;
        _items = new T[Math.Clamp(initial, 1, declared)];
    }

    /// <summary>The next <paramref name="length"/> elements to fill, growing the array when needed.</summary>
    public Span<T> Extend(int length)
    {
        var needed = _count + length;
        if (needed > _items.Length)
        {
            Array.Resize(ref _items, (int)Math.Min(_declared, Math.Max(needed, 2L * _items.Length)));
        }
        var span = _items.AsSpan(_count, length);
        _count = needed;
        return span;
    }

    /// <summary>The filled array; it is exactly the declared length once every element arrived.</summary>
    public T[] ToArray() => _count == _items.Length ? _items : _items[.._count];
}
