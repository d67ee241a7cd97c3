using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Preprocessing;
using Xunit;

namespace ClinicaDL.Core.Tests.Preprocessing;

/// <summary>
/// The registration against known transforms: the shipped MNI template, at 2 mm to stay quick, moved by a known
/// affine onto another grid (voxel size, axis order, field of view), with a bias field and noise; the recovered
/// template-to-image transform must move the template's brain points to where the known one does.
/// </summary>
public sealed class AffineRegistrationTests
{
    private static readonly Lazy<Volume> Template = new(() =>
    {
        TorchNatives.EnsureLoaded();
        var full = ReferenceTemplate.Load(null).Volume;
        var affine = full.Affine.Multiply(Scale(2, 2, 2));
        int[] shape = [97, 115, 97];
        return VolumeResampler.Resample(full, AffineMatrix.Identity, shape, affine);
    });

    public static TheoryData<double, double, double, double, double, double, double> KnownTransforms => new()
    {
        // rotations about x, y, z (degrees), translation x, y, z (mm), isotropic scale
        { 0, 0, 0, 0, 0, 0, 1.0 },
        { 12, -8, 5, 15, -12, 10, 1.08 },
        { -14, 10, -13, -18, 16, -20, 0.92 },
    };

    [Theory]
    [MemberData(nameof(KnownTransforms))]
    public void RecoversAKnownTransformWithinAMillimetre(double ax, double ay, double az, double tx, double ty, double tz, double scale)
    {
        var template = Template.Value;
        var truth = Translation(tx, ty, tz).Multiply(Rotation(ax, ay, az)).Multiply(Scale(scale, scale * 0.97, scale * 1.03));
        var image = Native(template, truth, seed: 11);
        using var prepared = RegistrationTemplate.Prepare(template, new RegistrationOptions { Seed = 5 });

        var result = AffineRegistration.Register(prepared, image);

        Assert.True(MeanDisplacement(result.Transform, truth, template) < 1.0, $"mean displacement {MeanDisplacement(result.Transform, truth, template):F3} mm");
    }

    [Fact]
    public void GivesTheSameBitsForTheSameSeed()
    {
        var template = Template.Value;
        var image = Native(template, Translation(5, -3, 2).Multiply(Rotation(4, 0, -3)), seed: 2);
        using var prepared = RegistrationTemplate.Prepare(template, new RegistrationOptions { Seed = 1 });
        using var threads = ClinicaDL.Core.Runtime.TorchRuntime.UseThreads(1);

        var first = AffineRegistration.Register(prepared, image).Transform;
        var second = AffineRegistration.Register(prepared, image).Transform;

        Assert.Equal(first, second);
    }

    [Fact]
    public void LeavesNoTensorAlive()
    {
        var template = Template.Value;
        var image = Native(template, Translation(3, 0, 0), seed: 3);
        using var prepared = RegistrationTemplate.Prepare(template, new RegistrationOptions { RigidIterations = [5, 5, 5], AffineIterations = [5, 5, 5] });
        AffineRegistration.Register(prepared, image);
        var before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        AffineRegistration.Register(prepared, image);

        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void TheCropIsClinicasGridAndAffine()
    {
        TorchNatives.EnsureLoaded();
        var template = ReferenceTemplate.Load(null);

        var (shape, affine) = template.OutputGrid(uncropped: false);
        var (fullShape, fullAffine) = template.OutputGrid(uncropped: true);

        Assert.True(template.IsClinicaGrid);
        Assert.Equal([169, 208, 179], shape);
        // Clinica's ref_cropped_template: the template's voxels [12:181, 13:221, 0:179], so the origin moves by (12, 13, 0) mm.
        Assert.Equal(new AffineMatrix(new double[,] { { 1, 0, 0, -84 }, { 0, 1, 0, -119 }, { 0, 0, 1, -78 }, { 0, 0, 0, 1 } }), affine);
        Assert.Equal([193, 229, 193], fullShape);
        Assert.Equal(new AffineMatrix(new double[,] { { 1, 0, 0, -96 }, { 0, 1, 0, -132 }, { 0, 0, 1, -78 }, { 0, 0, 0, 1 } }), fullAffine);
        Assert.Equal("aa5d112ff0768dfcf37b80c848f72ed4bee148d5e1fe73a7e6ecb6e004a518a2", template.Sha256);
    }

    [Fact]
    public void TheCroppedTemplateIsTheTemplatesOwnVoxels()
    {
        TorchNatives.EnsureLoaded();
        var template = ReferenceTemplate.Load(null);

        var cropped = template.OnOutputGrid(uncropped: false);

        var (x, y, z) = (100, 120, 90);
        Assert.Equal(template.Volume.Values[((z + 0) * 229 + y + 13) * 193 + x + 12], cropped.Values[(z * 208 + y) * 169 + x], 3);
    }

    [Fact]
    public void TheAffineFileRoundTripsAndIsAntsLayout()
    {
        var transform = Translation(10, -4, 7).Multiply(Rotation(10, -5, 20)).Multiply(Scale(1.1, 0.9, 1.05));
        var path = Path.Combine(Path.GetTempPath(), $"affine-{Guid.NewGuid():N}.mat");
        try
        {
            ItkTransformFile.Write(path, transform, [1, -18, 12]);

            var read = ItkTransformFile.Read(path);
            var bytes = File.ReadAllBytes(path);

            for (var i = 0; i < 3; i++)
            {
                for (var j = 0; j < 4; j++)
                {
                    Assert.Equal(transform[i, j], read[i, j], 10);
                }
            }
            // MATLAB v4: type 0 (little-endian doubles), a 12x1 column, then "fixed" 3x1: 2 x 20 header bytes, 27 + 6 name bytes, 15 doubles.
            Assert.Equal(2 * 20 + 27 + 6 + 15 * 8, bytes.Length);
            Assert.Equal("AffineTransform_double_3_3", System.Text.Encoding.ASCII.GetString(bytes, 20, 26));
            Assert.Equal(12, BitConverter.ToInt32(bytes, 4));
            // LPS: the centre's x and y change sign.
            Assert.Equal(-1.0, BitConverter.ToDouble(bytes, 20 + 27 + 12 * 8 + 20 + 6));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ResamplingThroughTheIdentityKeepsTheVoxels()
    {
        var template = Template.Value;

        var same = VolumeResampler.Resample(template, AffineMatrix.Identity, template.Shape, template.Affine);

        // float32 grid coordinates land within ~1e-5 voxel of the centres: the values agree to well under 0.1 %.
        var largest = template.Values.Max();
        Assert.True(template.Values.Zip(same.Values).All(p => Math.Abs(p.First - p.Second) < 1e-3 * largest));
    }

    /// <summary>The template seen by a scanner: on a 2.2 x 2.4 x 2 mm grid stored in P-I-L axis order (a permuted, flipped affine), times a bias field, plus noise.</summary>
    private static Volume Native(Volume template, AffineMatrix truth, int seed)
    {
        int[] shape = [110, 100, 110];
        var axes = new AffineMatrix(new double[,] { { 0, 0, -2.0, 0 }, { -2.2, 0, 0, 0 }, { 0, -2.4, 0, 0 }, { 0, 0, 0, 1 } });
        var centre = axes.Apply((shape[0] - 1) / 2.0, (shape[1] - 1) / 2.0, (shape[2] - 1) / 2.0);
        var affine = Translation(-centre[0], -centre[1] - 18, -centre[2] + 10).Multiply(axes);
        var native = VolumeResampler.Resample(template, truth.Inverse(), shape, affine);
        var random = new Random(seed);
        var values = native.Values.Select((v, i) =>
        {
            var z = i / (shape[0] * shape[1]);
            var bias = 1 + 0.15 * (z / (double)shape[2] - 0.5);
            return (float)(v * bias + 2 * (random.NextDouble() - 0.5));
        }).ToArray();
        return native.WithValues(values);
    }

    private static double MeanDisplacement(AffineMatrix found, AffineMatrix truth, Volume template)
    {
        var (nx, ny) = (template.Shape[0], template.Shape[1]);
        double total = 0;
        var count = 0;
        for (var i = 0; i < template.Values.Length; i += 3)
        {
            if (template.Values[i] <= 0)
            {
                continue;
            }
            var point = template.Affine.Apply(i % nx, i / nx % ny, i / (nx * ny));
            var a = found.Apply(point[0], point[1], point[2]);
            var b = truth.Apply(point[0], point[1], point[2]);
            total += Math.Sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
            count++;
        }
        return total / count;
    }

    private static AffineMatrix Translation(double x, double y, double z) => new(new double[,] { { 1, 0, 0, x }, { 0, 1, 0, y }, { 0, 0, 1, z }, { 0, 0, 0, 1 } });

    private static AffineMatrix Scale(double x, double y, double z) => new(new double[,] { { x, 0, 0, 0 }, { 0, y, 0, 0 }, { 0, 0, z, 0 }, { 0, 0, 0, 1 } });

    private static AffineMatrix Rotation(double xDegrees, double yDegrees, double zDegrees)
    {
        var (a, b, c) = (xDegrees * Math.PI / 180, yDegrees * Math.PI / 180, zDegrees * Math.PI / 180);
        var rx = new AffineMatrix(new double[,] { { 1, 0, 0, 0 }, { 0, Math.Cos(a), -Math.Sin(a), 0 }, { 0, Math.Sin(a), Math.Cos(a), 0 }, { 0, 0, 0, 1 } });
        var ry = new AffineMatrix(new double[,] { { Math.Cos(b), 0, Math.Sin(b), 0 }, { 0, 1, 0, 0 }, { -Math.Sin(b), 0, Math.Cos(b), 0 }, { 0, 0, 0, 1 } });
        var rz = new AffineMatrix(new double[,] { { Math.Cos(c), -Math.Sin(c), 0, 0 }, { Math.Sin(c), Math.Cos(c), 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } });
        return rz.Multiply(ry).Multiply(rx);
    }
}
