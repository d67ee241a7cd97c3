namespace ClinicaDL.Core.Imaging;

/// <summary>
/// The voxel-to-world affine exactly as nibabel computes it (<c>get_best_affine</c>): the sform when
/// sform_code &gt; 0, else the qform (quaternion, pixdim and qfac) when qform_code &gt; 0, else the
/// pixdim-only base affine. ANALYZE headers use SPM's origin field as nibabel's Spm2AnalyzeImage does.
/// </summary>
public static class NiftiAffine
{
    /// <summary>NIFTI_XFORM_TEMPLATE_OTHER, the highest code nibabel's <c>xform_codes</c> knows.</summary>
    private const int HighestXformCode = 5;

    /// <summary>Which of the header's three affines nibabel would use.</summary>
    public static string Source(NiftiHeader header) =>
        header.NiftiVersion == 0 ? "base"
        : EffectiveXformCode(header.SformCode) > 0 ? "sform"
        : EffectiveXformCode(header.QformCode) > 0 ? "qform"
        : "base";

    /// <summary>
    /// The code nibabel acts on: its header check (<c>_chk_xform_code</c>, run on every load) sets a code outside
    /// 0..5 to 0, so an sform_code of 255 falls back to the qform instead of using the sform.
    /// </summary>
    public static int EffectiveXformCode(int code) => code is >= 0 and <= HighestXformCode ? code : 0;

    public static AffineMatrix Best(NiftiHeader header) => Source(header) switch
    {
        "sform" => Sform(header),
        "qform" => Qform(header),
        _ => header.NiftiVersion == 0 ? AnalyzeOrigin(header) : Base(header),
    };

    public static AffineMatrix Sform(NiftiHeader h) => new(new[,]
    {
        { h.SrowX[0], h.SrowX[1], h.SrowX[2], h.SrowX[3] },
        { h.SrowY[0], h.SrowY[1], h.SrowY[2], h.SrowY[3] },
        { h.SrowZ[0], h.SrowZ[1], h.SrowZ[2], h.SrowZ[3] },
        { 0, 0, 0, 1 },
    });

    /// <summary>
    /// The qform: w from the unit quaternion (0 when rounding makes 1 - b²-c²-d² slightly negative), the
    /// rotation scaled by the voxel sizes, the last one multiplied by qfac (pixdim[0]; any value other than
    /// -1 counts as 1, as the standard says).
    /// </summary>
    public static AffineMatrix Qform(NiftiHeader h)
    {
        double b = h.QuaternB, c = h.QuaternC, d = h.QuaternD;
        var w2 = 1.0 - (b * b + c * c + d * d);
        var a = w2 > 0 ? Math.Sqrt(w2) : 0.0;
        var rotation = QuaternionToMatrix(a, b, c, d);
        var qfac = h.Pixdim[0] == -1 ? -1.0 : 1.0;
        double[] voxel = [Math.Abs(h.Pixdim[1]), Math.Abs(h.Pixdim[2]), Math.Abs(h.Pixdim[3]) * qfac];
        var m = new double[4, 4];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                m[i, j] = rotation[i, j] * voxel[j];
            }
        }
        m[0, 3] = h.QoffsetX;
        m[1, 3] = h.QoffsetY;
        m[2, 3] = h.QoffsetZ;
        m[3, 3] = 1;
        return new AffineMatrix(m);
    }

    /// <summary>nibabel's <c>shape_zoom_affine</c>: voxel sizes on the diagonal, x flipped, centre at the origin.</summary>
    public static AffineMatrix Base(NiftiHeader h)
    {
        var (shape, zooms) = SpatialShapeAndZooms(h);
        var origin = new double[3];
        for (var i = 0; i < 3; i++)
        {
            origin[i] = (shape[i] - 1) / 2.0;
        }
        return ShapeZoom(origin, zooms);
    }

    private static AffineMatrix AnalyzeOrigin(NiftiHeader h)
    {
        var (shape, zooms) = SpatialShapeAndZooms(h);
        var spm = h.AnalyzeOrigin;
        var useSpm = spm.Any(v => v != 0) && Enumerable.Range(0, 3).All(i => spm[i] > -shape[i] && spm[i] < shape[i] * 2);
        var origin = new double[3];
        for (var i = 0; i < 3; i++)
        {
            origin[i] = useSpm ? spm[i] - 1 : (shape[i] - 1) / 2.0;
        }
        return ShapeZoom(origin, zooms);
    }

    private static AffineMatrix ShapeZoom(double[] origin, double[] zooms)
    {
        var m = new double[4, 4];
        zooms[0] = -zooms[0];
        for (var i = 0; i < 3; i++)
        {
            m[i, i] = zooms[i];
            m[i, 3] = -origin[i] * zooms[i];
        }
        m[3, 3] = 1;
        return new AffineMatrix(m);
    }

    private static (long[] Shape, double[] Zooms) SpatialShapeAndZooms(NiftiHeader h)
    {
        var shape = new long[] { 1, 1, 1 };
        var zooms = new double[] { 1, 1, 1 };
        var axes = Math.Min(3, h.Shape.Length);
        for (var i = 0; i < axes; i++)
        {
            shape[i] = h.Dim[i + 1];
            zooms[i] = Math.Abs(h.Pixdim[i + 1]);
        }
        return (shape, zooms);
    }

    /// <summary>nibabel's <c>quat2mat</c> for a quaternion (w, x, y, z); a near-zero quaternion gives the identity.</summary>
    internal static double[,] QuaternionToMatrix(double w, double x, double y, double z)
    {
        var n = w * w + x * x + y * y + z * z;
        if (n < 2.220446049250313e-16)
        {
            return new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
        }
        var s = 2.0 / n;
        double sx = x * s, sy = y * s, sz = z * s;
        double wx = w * sx, wy = w * sy, wz = w * sz;
        double xx = x * sx, xy = x * sy, xz = x * sz;
        double yy = y * sy, yz = y * sz, zz = z * sz;
        return new[,]
        {
            { 1.0 - (yy + zz), xy - wz, xz + wy },
            { xy + wz, 1.0 - (xx + zz), yz - wx },
            { xz - wy, yz + wx, 1.0 - (xx + yy) },
        };
    }

    /// <summary>
    /// Splits an affine into what a qform can hold: voxel sizes, qfac, the quaternion (b, c, d) of the
    /// closest rotation (polar decomposition, as nibabel's <c>set_qform</c>) and the offsets.
    /// </summary>
    internal static (double[] Zooms, double Qfac, double B, double C, double D) ToQuaternion(AffineMatrix affine)
    {
        var m = new double[3, 3];
        var zooms = new double[3];
        for (var j = 0; j < 3; j++)
        {
            zooms[j] = Math.Sqrt(affine[0, j] * affine[0, j] + affine[1, j] * affine[1, j] + affine[2, j] * affine[2, j]);
            for (var i = 0; i < 3; i++)
            {
                m[i, j] = zooms[j] == 0 ? (i == j ? 1 : 0) : affine[i, j] / zooms[j];
            }
        }
        var qfac = 1.0;
        if (Determinant(m) < 0)
        {
            qfac = -1.0;
            for (var i = 0; i < 3; i++)
            {
                m[i, 2] = -m[i, 2];
            }
        }
        var rotation = ClosestRotation(m);
        var (w, x, y, z) = MatrixToQuaternion(rotation);
        if (w < 0)
        {
            (x, y, z) = (-x, -y, -z);
        }
        return (zooms, qfac, x, y, z);
    }

    /// <summary>Polar decomposition by Newton's iteration R ← (R + R⁻ᵀ)/2, which converges to the nearest rotation.</summary>
    private static double[,] ClosestRotation(double[,] m)
    {
        var r = (double[,])m.Clone();
        for (var iteration = 0; iteration < 50; iteration++)
        {
            var inverseTranspose = InverseTranspose(r);
            var change = 0.0;
            for (var i = 0; i < 3; i++)
            {
                for (var j = 0; j < 3; j++)
                {
                    var next = (r[i, j] + inverseTranspose[i, j]) / 2;
                    change = Math.Max(change, Math.Abs(next - r[i, j]));
                    r[i, j] = next;
                }
            }
            if (change < 1e-15)
            {
                break;
            }
        }
        return r;
    }

    private static (double W, double X, double Y, double Z) MatrixToQuaternion(double[,] r)
    {
        var trace = r[0, 0] + r[1, 1] + r[2, 2];
        if (trace > 0)
        {
            var s = Math.Sqrt(trace + 1.0) * 2;
            return (0.25 * s, (r[2, 1] - r[1, 2]) / s, (r[0, 2] - r[2, 0]) / s, (r[1, 0] - r[0, 1]) / s);
        }
        if (r[0, 0] > r[1, 1] && r[0, 0] > r[2, 2])
        {
            var s = Math.Sqrt(1.0 + r[0, 0] - r[1, 1] - r[2, 2]) * 2;
            return ((r[2, 1] - r[1, 2]) / s, 0.25 * s, (r[0, 1] + r[1, 0]) / s, (r[0, 2] + r[2, 0]) / s);
        }
        if (r[1, 1] > r[2, 2])
        {
            var s = Math.Sqrt(1.0 + r[1, 1] - r[0, 0] - r[2, 2]) * 2;
            return ((r[0, 2] - r[2, 0]) / s, (r[0, 1] + r[1, 0]) / s, 0.25 * s, (r[1, 2] + r[2, 1]) / s);
        }
        var t = Math.Sqrt(1.0 + r[2, 2] - r[0, 0] - r[1, 1]) * 2;
        return ((r[1, 0] - r[0, 1]) / t, (r[0, 2] + r[2, 0]) / t, (r[1, 2] + r[2, 1]) / t, 0.25 * t);
    }

    private static double Determinant(double[,] m) =>
        m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1])
        - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
        + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);

    private static double[,] InverseTranspose(double[,] m)
    {
        var det = Determinant(m);
        var cofactor = new double[3, 3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                int i1 = (i + 1) % 3, i2 = (i + 2) % 3, j1 = (j + 1) % 3, j2 = (j + 2) % 3;
                cofactor[i, j] = (m[i1, j1] * m[i2, j2] - m[i1, j2] * m[i2, j1]) / det;
            }
        }
        return cofactor;
    }
}
