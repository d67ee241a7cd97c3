using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Generation;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Tests.Generation;

/// <summary>One raw data set (6 participants x 2 sessions at 2 mm) shared by the tests that only read it.</summary>
public sealed class RawDatasetFixture : IDisposable
{
    public RawDatasetFixture()
    {
        Options = new SyntheticOptions { OutputPath = Path.Combine(Folder, "raw"), ParticipantCount = 6, SessionCount = 2, VoxelSize = VoxelSize, Seed = 11, Raw = true };
        Sessions = SyntheticDatasetGenerator.Generate(Options, overwrite: false);
        Transforms = TsvTable.Read(Path.Combine(Options.OutputPath, "transforms.tsv"));
    }

    /// <summary>At 3 mm the point-sampled cortex aliases enough to blur the convention check; 2 mm is still quick.</summary>
    public const int VoxelSize = 2;

    public string Folder { get; } = Directory.CreateTempSubdirectory("clinicadl-raw-").FullName;
    public SyntheticOptions Options { get; }
    public IReadOnlyList<SyntheticSession> Sessions { get; }
    public TsvTable Transforms { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

public sealed class RawSyntheticDatasetTests(RawDatasetFixture raw) : IClassFixture<RawDatasetFixture>
{
    private static readonly PhantomGrid Grid = new(RawDatasetFixture.VoxelSize);

    [Fact]
    public void Native_voxels_mapped_back_by_the_inverse_transform_fall_on_the_same_anatomy_in_the_caps_image_and_a_shifted_transform_does_not()
    {
        var mask = NiftiReader.ReadSingle(TemplatePath("desc-brain_mask"), out _);
        var correlations = new List<double>();
        foreach (var session in raw.Sessions)
        {
            var truth = TemplateToNative(session);
            var caps = NiftiReader.ReadSingle(session.CapsPath, out _);
            var correlation = Correlation(session, truth, caps, mask);
            // 10 mm along the scanner's x: a registration error a quality check must see.
            var shifted = Correlation(session, new AffineMatrix(new double[,] { { 1, 0, 0, 10 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } }).Multiply(truth), caps, mask);
            // The other direction (T taken as native to template): the convention mistake this table must not allow.
            var reversed = Correlation(session, truth.Inverse(), caps, mask);

            // How high depends on the participant: in the template's brain mask a large brain shows less CSF, which
            // leaves more weight to the interpolation of the point-sampled cortex (sub-006, 7% larger: 0.90).
            Assert.True(correlation >= 0.88, $"{session.ParticipantId} {session.SessionId}: r = {correlation}");
            Assert.True(shifted < correlation - 0.3, $"{session.ParticipantId} {session.SessionId}: r = {correlation}, shifted by 10 mm {shifted}");
            Assert.True(reversed < correlation - 0.4, $"{session.ParticipantId} {session.SessionId}: r = {correlation}, reversed {reversed}");
            correlations.Add(correlation);
        }
        Assert.True(correlations.Order().ElementAt(correlations.Count / 2) >= 0.94, string.Join(", ", correlations));
    }

    [Fact]
    public void Transforms_are_rotations_translations_and_scales_within_the_ranges_and_match_their_recorded_parameters()
    {
        var largest = new double[3];
        for (var row = 0; row < raw.Transforms.Rows.Count; row++)
        {
            var t = Matrix(row);
            var scales = Enumerable.Range(0, 3).Select(j => Math.Sqrt(t[0, j] * t[0, j] + t[1, j] * t[1, j] + t[2, j] * t[2, j])).ToArray();
            var r = new double[3, 3];
            for (var i = 0; i < 3; i++)
            {
                for (var j = 0; j < 3; j++)
                {
                    r[i, j] = t[i, j] / scales[j];
                }
            }
            // No shear: the columns, divided by their lengths, are orthonormal and right-handed.
            for (var a = 0; a < 3; a++)
            {
                for (var b = a + 1; b < 3; b++)
                {
                    Assert.Equal(0, r[0, a] * r[0, b] + r[1, a] * r[1, b] + r[2, a] * r[2, b], 12);
                }
            }
            Assert.Equal(1, r[0, 0] * (r[1, 1] * r[2, 2] - r[1, 2] * r[2, 1]) - r[0, 1] * (r[1, 0] * r[2, 2] - r[1, 2] * r[2, 0]) + r[0, 2] * (r[1, 0] * r[2, 1] - r[1, 1] * r[2, 0]), 12);
            // R = Rz Ry Rx.
            double[] degrees = [Math.Atan2(r[2, 1], r[2, 2]) * 180 / Math.PI, -Math.Asin(r[2, 0]) * 180 / Math.PI, Math.Atan2(r[1, 0], r[0, 0]) * 180 / Math.PI];
            var centre = t.Apply(PhantomGrid.Centre[0], PhantomGrid.Centre[1], PhantomGrid.Centre[2]);
            var translation = Enumerable.Range(0, 3).Select(a => centre[a] - PhantomGrid.Centre[a]).ToArray();
            for (var a = 0; a < 3; a++)
            {
                var axis = "xyz"[a];
                Assert.InRange(Math.Abs(degrees[a]), 0, 15);
                Assert.InRange(scales[a], 0.9, 1.1);
                Assert.InRange(Math.Abs(translation[a]), 0, 20);
                Assert.Equal(Number(row, $"rotation_{axis}_degrees"), degrees[a], 9);
                Assert.Equal(Number(row, $"scale_{axis}"), scales[a], 12);
                Assert.Equal(Number(row, $"translation_{axis}_mm"), translation[a], 9);
                largest[a] = Math.Max(largest[a], Math.Abs(degrees[a]));
            }
            Assert.InRange(Number(row, "bias_amplitude"), 0.15, 0.25);
            Assert.InRange(Number(row, "noise_level"), 0.02, 0.03);
        }
        // Drawn over the ranges, not stuck near the identity.
        Assert.All(largest, degrees => Assert.True(degrees > 7, $"largest rotations: {string.Join(", ", largest)}"));
    }

    [Fact]
    public void Headers_describe_the_native_grid_exactly_and_orientations_vary_across_sessions()
    {
        var orientations = new List<string>();
        foreach (var session in raw.Sessions)
        {
            var row = Row(session);
            var image = NiftiReader.ReadHeader(session.BidsPath);
            var sform = NiftiAffine.Sform(image.Header);
            var qform = NiftiAffine.Qform(image.Header);
            var orientation = raw.Transforms.Cell(row, "orientation")!;
            var voxelSizes = new[] { "i", "j", "k" }.Select(axis => Number(row, $"voxel_size_{axis}_mm")).ToArray();

            Assert.Equal(1, image.Header.SformCode);
            Assert.Equal("sform", image.AffineSource);
            Assert.Equal(orientation, AxisCodes(sform));
            for (var j = 0; j < 3; j++)
            {
                // A signed permutation scaled by the voxel sizes, to the last bit.
                Assert.Equal(voxelSizes[j], Enumerable.Range(0, 3).Sum(i => Math.Abs(sform[i, j])));
                Assert.Equal(2, Enumerable.Range(0, 3).Count(i => sform[i, j] == 0));
                Assert.InRange(voxelSizes[j], 0.9 * RawDatasetFixture.VoxelSize, 1.25 * RawDatasetFixture.VoxelSize);
            }
            // The qform says the same up to its float32 quaternion: for half-turn rotations (w = 0) with 1/sqrt(2)
            // components, w comes back as the square root of a rounding error, about 4e-4, as nibabel's does.
            for (var i = 0; i < 3; i++)
            {
                for (var j = 0; j < 4; j++)
                {
                    Assert.Equal(sform[i, j], qform[i, j], tolerance: 2e-3);
                }
            }
            Assert.Equal(voxelSizes, image.VoxelSize.ToArray());
            orientations.Add(orientation);
        }
        Assert.True(orientations.Distinct().Count() >= 6, string.Join(", ", orientations));
        Assert.Contains(orientations, o => o != "RAS");
    }

    [Fact]
    public void The_field_of_view_holds_the_whole_head_and_its_edges_hold_only_noise_of_the_recorded_level()
    {
        var participants = SyntheticPlan.Participants(raw.Options).ToDictionary(p => p.Id);
        foreach (var session in raw.Sessions)
        {
            var values = NiftiReader.ReadSingle(session.BidsPath, out var header);
            var shape = Enumerable.Range(1, 3).Select(a => (int)header.Dim[a]).ToArray();
            var edges = new List<double>();
            for (var k = 0; k < shape[2]; k++)
            {
                for (var j = 0; j < shape[1]; j++)
                {
                    for (var i = 0; i < shape[0]; i++)
                    {
                        if (i == 0 || j == 0 || k == 0 || i == shape[0] - 1 || j == shape[1] - 1 || k == shape[2] - 1)
                        {
                            edges.Add(values[i + shape[0] * (j + shape[1] * k)]);
                        }
                    }
                }
            }
            var whiteMatter = new BrainPhantom(participants[session.ParticipantId].Anatomy, 0, 0).WhiteMatterSignal;
            var sigma = Number(Row(session), "noise_level") * whiteMatter;

            // Air: Rayleigh-distributed magnitude, mean sigma * sqrt(pi / 2); a head cut by the edge would raise it.
            Assert.Equal(sigma * Math.Sqrt(Math.PI / 2), edges.Average(), sigma * 0.05);
            Assert.True(edges.Max() < 6 * sigma, $"{session.ParticipantId} {session.SessionId}: brightest edge voxel {edges.Max()}, sigma {sigma}");
            Assert.True(values.Max() > 0.8 * whiteMatter, $"{session.ParticipantId} {session.SessionId}: brightest voxel {values.Max()}");
        }
    }

    [Fact]
    public void The_template_is_on_the_caps_grid_resembles_the_caps_images_and_its_mask_holds_their_brains()
    {
        var template = NiftiReader.ReadSingle(TemplatePath("T1w"), out var templateHeader);
        var mask = NiftiReader.ReadSingle(TemplatePath("desc-brain_mask"), out _);
        var brain = Enumerable.Range(0, mask.Length).Where(v => mask[v] == 1).ToArray();

        Assert.Equal(Grid.Affine, NiftiAffine.Best(templateHeader));
        Assert.Equal(Grid.Shape, Enumerable.Range(1, 3).Select(a => (int)templateHeader.Dim[a]));
        Assert.All(mask, v => Assert.True(v is 0 or 1));
        // The brain is about 1.1 litres of the 6.3 litre field of view.
        Assert.InRange(brain.Length * Math.Pow(RawDatasetFixture.VoxelSize, 3) / 1e6, 0.9, 1.5);
        var mean = new double[template.Length];
        foreach (var session in raw.Sessions)
        {
            var caps = NiftiReader.ReadSingle(session.CapsPath, out _);
            var correlation = Pearson(template.Select(v => (double)v).ToArray(), caps.Select(v => (double)v).ToArray());
            Assert.True(correlation > 0.7, $"{session.ParticipantId} {session.SessionId}: r = {correlation}");
            for (var v = 0; v < mean.Length; v++)
            {
                mean[v] += caps[v] / (double)raw.Sessions.Count;
            }
        }
        // The population's mean image is closer to the mean anatomy than any one image.
        var meanCorrelation = Pearson(template.Select(v => (double)v).ToArray(), mean);
        Assert.True(meanCorrelation > 0.9, $"r = {meanCorrelation}");
        // The mask holds the brain: bright tissue inside, air, scalp, skull and CSF outside (about 82 against 11).
        var inside = brain.Average(v => mean[v]);
        var outside = Enumerable.Range(0, mask.Length).Where(v => mask[v] == 0).Average(v => mean[v]);
        Assert.True(inside > 4 * outside, $"mean inside the mask {inside}, outside {outside}");
    }

    [Fact]
    public void The_bids_scanner_reads_the_raw_images_and_each_session_has_one_row_in_transforms_tsv()
    {
        var scan = BidsDataset.Scan(Path.Combine(raw.Options.OutputPath, "bids"));

        Assert.Empty(scan.Issues);
        Assert.Equal(12, scan.Sessions.Count);
        Assert.Equal(["participant_id", "session_id", .. NativeScan.Columns], raw.Transforms.Columns);
        Assert.Equal(raw.Sessions.Select(s => (s.ParticipantId, s.SessionId)).Order(),
            raw.Transforms.Rows.Select(r => (r[0]!, r[1]!)).Order());
    }

    [Fact]
    public void The_same_seed_gives_the_same_bytes_and_the_caps_is_the_one_made_without_raw()
    {
        var again = Path.Combine(raw.Folder, "again");
        var plain = Path.Combine(raw.Folder, "plain");
        SyntheticDatasetGenerator.Generate(new SyntheticOptions
        {
            OutputPath = again, ParticipantCount = 6, SessionCount = 2, VoxelSize = RawDatasetFixture.VoxelSize, Seed = 11, Raw = true, Threads = 1,
        }, overwrite: false);
        SyntheticDatasetGenerator.Generate(new SyntheticOptions
        {
            OutputPath = plain, ParticipantCount = 6, SessionCount = 2, VoxelSize = RawDatasetFixture.VoxelSize, Seed = 11,
        }, overwrite: false);

        var files = Files(raw.Options.OutputPath);
        Assert.Equal(files, Files(again));
        Assert.All(files, f => Assert.Equal(File.ReadAllBytes(Path.Combine(raw.Options.OutputPath, f)), File.ReadAllBytes(Path.Combine(again, f))));
        var capsFiles = files.Where(f => f.StartsWith("caps", StringComparison.Ordinal) || f == "labels.tsv").ToList();
        Assert.Equal(capsFiles, Files(plain).Where(f => f.StartsWith("caps", StringComparison.Ordinal) || f == "labels.tsv"));
        Assert.All(capsFiles, f => Assert.Equal(File.ReadAllBytes(Path.Combine(plain, f)), File.ReadAllBytes(Path.Combine(raw.Options.OutputPath, f))));
        Assert.False(File.Exists(Path.Combine(plain, "transforms.tsv")));
        Assert.False(Directory.Exists(Path.Combine(plain, "template")));
    }

    /// <summary>
    /// Pearson correlation, over the template's brain, between the native image and the CAPS image sampled
    /// (trilinear) where the transform says each native voxel centre lies in template space.
    /// </summary>
    private static double Correlation(SyntheticSession session, AffineMatrix templateToNative, float[] caps, float[] mask)
    {
        var native = NiftiReader.ReadSingle(session.BidsPath, out var header);
        var shape = Enumerable.Range(1, 3).Select(a => (int)header.Dim[a]).ToArray();
        var toCapsVoxel = Grid.Affine.Inverse().Multiply(templateToNative.Inverse()).Multiply(NiftiAffine.Best(header));
        var (x, y) = (new List<double>(), new List<double>());
        for (var k = 0; k < shape[2]; k++)
        {
            for (var j = 0; j < shape[1]; j++)
            {
                for (var i = 0; i < shape[0]; i++)
                {
                    var v = toCapsVoxel.Apply(i, j, k);
                    if (Nearest(mask, v) == 1)
                    {
                        x.Add(native[i + shape[0] * (j + shape[1] * k)]);
                        y.Add(Trilinear(caps, v));
                    }
                }
            }
        }
        return Pearson(x.ToArray(), y.ToArray());
    }

    private static double Nearest(float[] volume, double[] v)
    {
        var (i, j, k) = ((int)Math.Round(v[0]), (int)Math.Round(v[1]), (int)Math.Round(v[2]));
        var s = Grid.Shape;
        return i < 0 || j < 0 || k < 0 || i >= s[0] || j >= s[1] || k >= s[2] ? 0 : volume[i + s[0] * (j + s[1] * k)];
    }

    private static double Trilinear(float[] volume, double[] v)
    {
        var s = Grid.Shape;
        var (i, j, k) = ((int)Math.Floor(v[0]), (int)Math.Floor(v[1]), (int)Math.Floor(v[2]));
        var (fx, fy, fz) = (v[0] - i, v[1] - j, v[2] - k);
        var sum = 0.0;
        for (var c = 0; c < 8; c++)
        {
            var (di, dj, dk) = (c & 1, (c >> 1) & 1, (c >> 2) & 1);
            var (a, b, d) = (Math.Clamp(i + di, 0, s[0] - 1), Math.Clamp(j + dj, 0, s[1] - 1), Math.Clamp(k + dk, 0, s[2] - 1));
            sum += (di == 1 ? fx : 1 - fx) * (dj == 1 ? fy : 1 - fy) * (dk == 1 ? fz : 1 - fz) * volume[a + s[0] * (b + s[1] * d)];
        }
        return sum;
    }

    private static double Pearson(double[] x, double[] y)
    {
        var (mx, my) = (x.Average(), y.Average());
        double sxy = 0, sxx = 0, syy = 0;
        for (var n = 0; n < x.Length; n++)
        {
            sxy += (x[n] - mx) * (y[n] - my);
            sxx += (x[n] - mx) * (x[n] - mx);
            syy += (y[n] - my) * (y[n] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>nibabel's aff2axcodes: the direction each voxel axis points to.</summary>
    private static string AxisCodes(AffineMatrix affine) => string.Concat(Enumerable.Range(0, 3).Select(j =>
    {
        var world = Enumerable.Range(0, 3).MaxBy(i => Math.Abs(affine[i, j]));
        return (affine[world, j] > 0 ? "RAS" : "LPI")[world];
    }));

    private AffineMatrix TemplateToNative(SyntheticSession session) => Matrix(Row(session));

    private AffineMatrix Matrix(int row)
    {
        var m = new double[4, 4];
        for (var n = 0; n < 12; n++)
        {
            m[n / 4, n % 4] = Number(row, $"m{n / 4}{n % 4}");
        }
        m[3, 3] = 1;
        return new AffineMatrix(m);
    }

    private int Row(SyntheticSession session) =>
        Enumerable.Range(0, raw.Transforms.Rows.Count).Single(r => raw.Transforms.Cell(r, "participant_id") == session.ParticipantId && raw.Transforms.Cell(r, "session_id") == session.SessionId);

    private double Number(int row, string column) => double.Parse(raw.Transforms.Cell(row, column)!, System.Globalization.CultureInfo.InvariantCulture);

    private string TemplatePath(string suffix) => Path.Combine(raw.Options.OutputPath, "template", $"tpl-ClinicaDLPhantom_res-{RawDatasetFixture.VoxelSize}_{suffix}.nii.gz");

    private static List<string> Files(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal).ToList();
}
