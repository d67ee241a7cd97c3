using System.Globalization;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Imaging;

/// <summary>
/// A 4x4 voxel-to-world matrix. Indexable as <c>m[i][j]</c> (a row copy) and <c>m[i, j]</c>, so scripts
/// written for nibabel's <c>img.affine[i, j]</c> read naturally.
/// </summary>
public sealed class AffineMatrix : IEquatable<AffineMatrix>
{
    private readonly double[] _values;

    public AffineMatrix(double[,] values)
    {
        if (values.GetLength(0) != 4 || values.GetLength(1) != 4)
        {
            throw new ArgumentException("An affine is 4x4.", nameof(values));
        }
        _values = new double[16];
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                _values[i * 4 + j] = values[i, j];
            }
        }
    }

    /// <summary>The identity affine.</summary>
    public static AffineMatrix Identity { get; } = new(new double[,] { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } });

    public double this[int row, int column] => _values[row * 4 + column];

    public double[] this[int row] => _values.AsSpan(row * 4, 4).ToArray();

    /// <summary>
    /// The four rows, as nibabel's <c>img.affine.tolist()</c>: how JSON writers see the matrix, since they
    /// read properties and an indexer is none.
    /// </summary>
    public ReadableList<ReadableList<double>> Rows => new(Enumerable.Range(0, 4).Select(row => new ReadableList<double>(this[row])));

    /// <summary>The matrix as a new two-dimensional array.</summary>
    public double[,] ToArray()
    {
        var result = new double[4, 4];
        for (var i = 0; i < 16; i++)
        {
            result[i / 4, i % 4] = _values[i];
        }
        return result;
    }

    public bool Equals(AffineMatrix? other) => other is not null && _values.AsSpan().SequenceEqual(other._values);

    public override bool Equals(object? obj) => Equals(obj as AffineMatrix);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var value in _values)
        {
            hash.Add(value);
        }
        return hash.ToHashCode();
    }

    public override string ToString()
    {
        var rows = new string[4];
        for (var i = 0; i < 4; i++)
        {
            // Round-trip precision: this text is what an exported CSV holds of the affine.
            rows[i] = "[" + string.Join(", ", this[i].Select(TsvTable.FormatNumber)) + "]";
        }
        return "[" + string.Join(", ", rows) + "]";
    }
}
