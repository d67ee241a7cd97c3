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

    /// <summary>The product <c>this * other</c>: apply <paramref name="other"/> first, then this.</summary>
    public AffineMatrix Multiply(AffineMatrix other)
    {
        var result = new double[4, 4];
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                var sum = 0.0;
                for (var k = 0; k < 4; k++)
                {
                    sum += this[i, k] * other[k, j];
                }
                result[i, j] = sum;
            }
        }
        return new AffineMatrix(result);
    }

    /// <summary>The inverse of an affine (last row 0 0 0 1): the inverse of the 3x3 part and the mapped translation.</summary>
    public AffineMatrix Inverse()
    {
        var (a, b, c) = (this[0, 0], this[0, 1], this[0, 2]);
        var (d, e, f) = (this[1, 0], this[1, 1], this[1, 2]);
        var (g, h, k) = (this[2, 0], this[2, 1], this[2, 2]);
        var determinant = a * (e * k - f * h) - b * (d * k - f * g) + c * (d * h - e * g);
        if (Math.Abs(determinant) < 1e-12 || !double.IsFinite(determinant))
        {
            throw new InvalidOperationException($"The affine {this} is singular.");
        }
        var inverse = new double[,]
        {
            { (e * k - f * h) / determinant, (c * h - b * k) / determinant, (b * f - c * e) / determinant, 0 },
            { (f * g - d * k) / determinant, (a * k - c * g) / determinant, (c * d - a * f) / determinant, 0 },
            { (d * h - e * g) / determinant, (b * g - a * h) / determinant, (a * e - b * d) / determinant, 0 },
            { 0, 0, 0, 1 },
        };
        for (var i = 0; i < 3; i++)
        {
            inverse[i, 3] = -(inverse[i, 0] * this[0, 3] + inverse[i, 1] * this[1, 3] + inverse[i, 2] * this[2, 3]);
        }
        return new AffineMatrix(inverse);
    }

    /// <summary>The image of a point (x, y, z).</summary>
    public double[] Apply(double x, double y, double z) =>
    [
        this[0, 0] * x + this[0, 1] * y + this[0, 2] * z + this[0, 3],
        this[1, 0] * x + this[1, 1] * y + this[1, 2] * z + this[1, 3],
        this[2, 0] * x + this[2, 1] * y + this[2, 2] * z + this[2, 3],
    ];

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
