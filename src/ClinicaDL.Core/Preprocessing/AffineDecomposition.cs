using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// The linear part of an affine transform split as SPM's <c>spm_imatrix</c> does, A = R S K: a rotation R,
/// the scales S along x, y and z, and an upper unit-triangular shear K (xy, xz, yz). The split is the QR
/// factorisation of A (Gram-Schmidt on its columns); a reflection (determinant &lt; 0) cannot be a rotation, so it is
/// carried by a negative z scale and the rotation stays proper.
/// </summary>
public sealed class AffineDecomposition
{
    private AffineDecomposition(double[] scales, double[] shears, double rotationDegrees, double determinant)
    {
        Scales = scales;
        Shears = shears;
        RotationDegrees = rotationDegrees;
        Determinant = determinant;
    }

    /// <summary>Along x, y and z; negative on z for a transform that mirrors.</summary>
    public double[] Scales { get; }

    /// <summary>xy, xz and yz: the off-diagonal terms of K.</summary>
    public double[] Shears { get; }

    /// <summary>The angle of R about its own axis, in degrees (0 to 180).</summary>
    public double RotationDegrees { get; }

    /// <summary>The determinant of the linear part: the volume ratio, negative for a mirror image.</summary>
    public double Determinant { get; }

    public static AffineDecomposition Of(AffineMatrix transform)
    {
        var a = new double[3, 3];
        for (var row = 0; row < 3; row++)
        {
            for (var column = 0; column < 3; column++)
            {
                a[row, column] = transform[row, column];
            }
        }
        var determinant = a[0, 0] * (a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1])
            - a[0, 1] * (a[1, 0] * a[2, 2] - a[1, 2] * a[2, 0])
            + a[0, 2] * (a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]);
        if (!double.IsFinite(determinant) || Math.Abs(determinant) < 1e-12)
        {
            throw new ArgumentException($"The transform {transform} is singular: it has no rotation, scales or shears.", nameof(transform));
        }
        // Gram-Schmidt: q holds R's columns, u the upper-triangular S K.
        var q = new double[3, 3];
        var u = new double[3, 3];
        for (var column = 0; column < 3; column++)
        {
            var v = new[] { a[0, column], a[1, column], a[2, column] };
            for (var previous = 0; previous < column; previous++)
            {
                u[previous, column] = q[0, previous] * a[0, column] + q[1, previous] * a[1, column] + q[2, previous] * a[2, column];
                for (var row = 0; row < 3; row++)
                {
                    v[row] -= u[previous, column] * q[row, previous];
                }
            }
            u[column, column] = Math.Sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
            for (var row = 0; row < 3; row++)
            {
                q[row, column] = v[row] / u[column, column];
            }
        }
        if (determinant < 0)
        {
            // Q is then a reflection: move its sign to the z scale, so R = Q diag(1, 1, -1) is a rotation.
            for (var row = 0; row < 3; row++)
            {
                q[row, 2] = -q[row, 2];
            }
            u[2, 2] = -u[2, 2];
        }
        var trace = q[0, 0] + q[1, 1] + q[2, 2];
        var rotation = Math.Acos(Math.Clamp((trace - 1) / 2, -1, 1)) * 180 / Math.PI;
        return new AffineDecomposition(
            [u[0, 0], u[1, 1], u[2, 2]],
            [u[0, 1] / u[0, 0], u[0, 2] / u[0, 0], u[1, 2] / u[1, 1]],
            rotation,
            determinant);
    }
}
