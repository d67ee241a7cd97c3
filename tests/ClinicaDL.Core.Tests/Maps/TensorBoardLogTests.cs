using System.Globalization;
using ClinicaDL.Core.Maps;

namespace ClinicaDL.Core.Tests.Maps;

public sealed class TensorBoardLogTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("clinicadl-tensorboard-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static Dictionary<string, double> Values(double ba, double loss) => new() { ["BA"] = ba, ["loss"] = loss };

    [Fact]
    public void Runs_sit_beside_the_training_tsv_of_the_split_or_of_each_network()
    {
        var split = new SplitLayout(_root, 2);
        Assert.Equal(Path.Combine(_root, "split-2", "training_logs", "tensorboard", "train"), split.TensorBoard("train"));
        Assert.Equal(Path.Combine(_root, "split-2", "training_logs", "network-1", "tensorboard", "validation"), split.TensorBoard("validation", 1));
    }

    [Fact]
    public void Appended_epochs_read_back_with_their_steps_tags_and_float_values()
    {
        var log = new TensorBoardLog(Path.Combine(_root, "train"), Path.Combine(_root, "validation"), ["BA", "loss"]);
        log.Start();
        log.Append(1, Values(0.5, 0.693), Values(0.25, double.NaN));
        log.Append(2, Values(0.75, 0.1), Values(1, 1e-30));

        var train = TensorBoardEventFile.Read(Assert.Single(Directory.GetFiles(Path.Combine(_root, "train"))));
        Assert.Equal("brain.Event:2", train[0].FileVersion);
        Assert.Empty(train[0].Scalars);
        Assert.Equal([0L, 0L, 1L, 1L], train.Skip(1).Select(e => e.Step));
        Assert.Equal([("BA", 0.5f), ("loss", 0.693f), ("BA", 0.75f), ("loss", 0.1f)], train.Skip(1).Select(e => Assert.Single(e.Scalars)));
        var validation = TensorBoardEventFile.Read(Assert.Single(Directory.GetFiles(Path.Combine(_root, "validation"))));
        Assert.Equal([("BA", 0.25f), ("loss", float.NaN), ("BA", 1f), ("loss", 1e-30f)], validation.Skip(1).Select(e => Assert.Single(e.Scalars)));
        Assert.All(validation, e => Assert.InRange(e.WallTime, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1));
    }

    [Fact]
    public void A_rewrite_keeps_only_the_training_tsv_rows_in_one_new_file()
    {
        var log = new TensorBoardLog(Path.Combine(_root, "train"), Path.Combine(_root, "validation"), ["BA", "loss"]);
        log.Start();
        log.Append(4, Values(0.5, 0.9), Values(0.5, 0.8));
        log.Append(8, Values(0.6, 0.7), Values(0.4, 0.9));
        var tsv = Path.Combine(_root, "training.tsv");
        File.WriteAllText(tsv, "epoch\titeration\ttime\tBA_train\tloss_train\tBA_valid\tloss_valid\n0\t4\t1.5\t0.5\t0.9\t0.5\t0.8\n");

        var resumed = new TensorBoardLog(Path.Combine(_root, "train"), Path.Combine(_root, "validation"), ["BA", "loss"]);
        resumed.Rewrite(tsv);
        resumed.Append(8, Values(0.7, 0.6), Values(0.45, 0.85));

        var events = TensorBoardEventFile.Read(Assert.Single(Directory.GetFiles(Path.Combine(_root, "validation"))));
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Equal([(3L, "BA", 0.5f), (3L, "loss", 0.8f), (7L, "BA", 0.45f), (7L, "loss", 0.85f)],
            events.Skip(1).Select(e => (e.Step, Assert.Single(e.Scalars).Tag, e.Scalars[0].Value)));
    }

    [Fact]
    public void A_training_tsv_cell_that_is_not_a_number_is_named_with_its_line_and_column()
    {
        var tsv = Path.Combine(_root, "training.tsv");
        File.WriteAllText(tsv, "epoch\titeration\ttime\tBA_train\tloss_train\tBA_valid\tloss_valid\n0\t4\t1.5\t0.5\t0.9\t0.5\t0.8\n1\t8\t3\t0.5\tabc\t0.5\t0.8\n");
        var log = new TensorBoardLog(Path.Combine(_root, "train"), Path.Combine(_root, "validation"), ["BA", "loss"]);
        var error = Assert.Throws<MapsException>(() => log.Rewrite(tsv));
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{tsv}, line 3, column 'loss_train': 'abc'"), error.Message);
    }
}
