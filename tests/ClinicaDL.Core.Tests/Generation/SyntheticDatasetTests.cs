using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Generation;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Tests.Generation;

public sealed class SyntheticDatasetTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-synthetic-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private IReadOnlyList<SyntheticSession> Generate(string name, int participants = 4, int sessions = 1, double strength = 1, int seed = 0,
        string[]? diagnoses = null, int voxelSize = 3) =>
        SyntheticDatasetGenerator.Generate(new SyntheticOptions
        {
            OutputPath = Path.Combine(_folder, name), ParticipantCount = participants, SessionCount = sessions, AtrophyStrength = strength,
            Seed = seed, Diagnoses = diagnoses ?? ["AD", "CN"], VoxelSize = voxelSize,
        }, overwrite: false);

    [Fact]
    public void The_same_seed_gives_the_same_bytes_and_another_seed_differs()
    {
        Generate("a", seed: 3);
        Generate("b", seed: 3);
        Generate("c", seed: 4);

        var files = Directory.GetFiles(Path.Combine(_folder, "a"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Path.Combine(_folder, "a"), f)).Order().ToList();
        Assert.Equal(files, Directory.GetFiles(Path.Combine(_folder, "b"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Path.Combine(_folder, "b"), f)).Order());
        Assert.All(files, f => Assert.Equal(File.ReadAllBytes(Path.Combine(_folder, "a", f)), File.ReadAllBytes(Path.Combine(_folder, "b", f))));
        var image = "bids/sub-001/ses-M000/anat/sub-001_ses-M000_T1w.nii.gz";
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(_folder, "a", image)), File.ReadAllBytes(Path.Combine(_folder, "c", image)));
    }

    [Theory]
    [InlineData(1, new[] { 169, 208, 179 })]
    [InlineData(2, new[] { 85, 104, 90 })]
    [InlineData(3, new[] { 57, 70, 60 })]
    public void Images_have_the_cropped_t1_linear_field_of_view_at_each_voxel_size(int voxelSize, int[] shape)
    {
        var sessions = Generate($"grid{voxelSize}", participants: 2, voxelSize: voxelSize);
        var grid = new PhantomGrid(voxelSize);
        foreach (var session in sessions)
        {
            var image = NiftiReader.ReadHeader(session.CapsPath);
            Assert.Equal(shape, image.Shape);
            Assert.Equal(new double[] { voxelSize, voxelSize, voxelSize }, image.VoxelSize);
            for (var i = 0; i < 4; i++)
            {
                for (var j = 0; j < 4; j++)
                {
                    Assert.Equal(grid.Affine[i, j], image.Affine[i, j], 5);
                }
            }
            Assert.EndsWith("_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz", session.CapsPath);
            Assert.Equal(NiftiReader.Read(session.BidsPath).GetData(), NiftiReader.Read(session.CapsPath).GetData());
        }
    }

    [Fact]
    public void The_bids_output_is_read_by_the_bids_scanner_and_the_labels_by_the_splitter()
    {
        var sessions = Generate("bids", participants: 10, sessions: 2, diagnoses: ["AD", "CN", "MCI"]);
        var scan = BidsDataset.Scan(Path.Combine(_folder, "bids", "bids"));

        Assert.Empty(scan.Issues);
        Assert.Equal(20, scan.Sessions.Count);
        Assert.All(scan.Sessions, s => Assert.Single(s.Images, i => i.Suffix == "T1w" && i.SidecarPath is not null));
        Assert.Equal(["participant_id", "age", "sex", "diagnosis"], scan.ParticipantsColumns);
        Assert.Equal(["ses-M000", "ses-M012"], scan.Sessions.Where(s => s.ParticipantId == "sub-001").Select(s => s.SessionId));
        var labels = TsvTable.Read(Path.Combine(_folder, "bids", "labels.tsv"));
        Assert.Equal(20, labels.Rows.Count);
        var baseline = labels.Rows.Where(r => r[1] == "ses-M000").GroupBy(r => r[4]).ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal([3, 3, 4], baseline.Values.Order());
        var caps = CapsDataset.Find(Path.Combine(_folder, "bids", "caps"), new CapsQuery { Preprocessing = "t1-linear" });
        Assert.Equal(20, caps.Count);
        Assert.Equal(sessions.Select(s => s.CapsPath).Order(), caps.Select(c => c.Path).Order());
    }

    [Fact]
    public void Hippocampal_intensity_drops_with_atrophy_strength_and_not_without_it()
    {
        var differences = new[] { 0.0, 0.5, 1.0 }.Select(strength => HippocampalDifference(Generate($"strength{strength}", participants: 16, strength: strength, seed: 9))).ToArray();

        Assert.True(differences[2] > differences[1] && differences[1] > 0, $"CN - AD: {string.Join(", ", differences)}");
        Assert.True(Math.Abs(differences[0]) < 0.15 * differences[2], $"CN - AD at strength 0: {differences[0]}, at 1: {differences[2]}");
    }

    [Fact]
    public void Bad_requests_are_refused_and_nothing_is_written()
    {
        Assert.Throws<SyntheticDataException>(() => Generate("unknown", diagnoses: ["AD", "FTD"]));
        Assert.Throws<SyntheticDataException>(() => Generate("few", participants: 1));
        Generate("full");
        var error = Assert.Throws<ClinicaDL.Core.IO.OutputExistsException>(() => Generate("full"));
        Assert.Contains("-Overwrite", error.Message);
        Assert.Equal(["full"], Directory.GetFileSystemEntries(_folder).Select(Path.GetFileName));
    }

    /// <summary>Mean CN minus mean AD intensity (relative to white matter) in the template's hippocampal regions.</summary>
    private static double HippocampalDifference(IReadOnlyList<SyntheticSession> sessions)
    {
        var grid = new PhantomGrid(3);
        var region = new List<int>();
        for (var k = 0; k < grid.Shape[2]; k++)
        {
            for (var j = 0; j < grid.Shape[1]; j++)
            {
                for (var i = 0; i < grid.Shape[0]; i++)
                {
                    var (x, y, z) = (grid.Millimetres(0, i), grid.Millimetres(1, j), grid.Millimetres(2, k));
                    if (BrainPhantom.Hippocampus(x, y, z, x < 0 ? -1 : 1) < 1.0)
                    {
                        region.Add(i + grid.Shape[0] * (j + grid.Shape[1] * k));
                    }
                }
            }
        }
        double Mean(string diagnosis) => sessions.Where(s => s.Diagnosis == diagnosis).Average(s =>
        {
            var values = NiftiReader.ReadSingle(s.CapsPath, out _);
            var reference = values.Order().ElementAt((int)(0.98 * values.Length));
            return region.Average(v => values[v]) / reference;
        });
        return Mean("CN") - Mean("AD");
    }
}
