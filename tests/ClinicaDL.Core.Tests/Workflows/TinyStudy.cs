using ClinicaDL.Core.Generation;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Tests.Workflows;

/// <summary>
/// The smallest study a training test runs on: synthetic 3 mm phantoms (one session each) in &lt;root&gt;/data and a
/// split folder &lt;root&gt;/split whose first two participants validate and the others train.
/// </summary>
internal static class TinyStudy
{
    public static (string Caps, string Split) Create(string root, int participants = 8, int seed = 4)
    {
        var data = Path.Combine(root, "data");
        SyntheticDatasetGenerator.Generate(new SyntheticOptions { OutputPath = data, ParticipantCount = participants, SessionCount = 1, VoxelSize = 3, Seed = seed }, overwrite: true);
        var labels = TsvTable.Read(Path.Combine(data, "labels.tsv"));
        var split = Path.Combine(root, "split");
        Directory.CreateDirectory(split);
        labels.WithRows(labels.Rows.Skip(2)).Write(Path.Combine(split, "train.tsv"));
        labels.WithRows(labels.Rows.Take(2)).Write(Path.Combine(split, "validation_baseline.tsv"));
        return (Path.Combine(data, "caps"), split);
    }
}
