using System.Globalization;
using System.Text.RegularExpressions;
using ClinicaDL.Core.Generation;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Tests.Maps;
using ClinicaDL.Core.Training;
using ClinicaDL.Core.Workflows;

namespace ClinicaDL.Core.Tests.Workflows;

/// <summary>
/// A real training writes TensorBoard logs that hold exactly training.tsv: every metric of every epoch, training
/// values in train/, validation values in validation/, at ClinicaDL's global step; and a resumed run leaves them
/// equal to the kept and new rows, without the epochs its checkpoint did not keep.
/// </summary>
public sealed class TrainerTensorBoardTests : IDisposable
{
    // 6 training images in batches of 2.
    private const int Batches = 3;

    private readonly string _root = Directory.CreateTempSubdirectory("clinicadl-trainer-tb-").FullName;

    public TrainerTensorBoardTests() => TorchNatives.EnsureLoaded();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Every_training_tsv_value_of_every_epoch_is_a_scalar_at_its_global_step()
    {
        var maps = Path.Combine(_root, "maps");
        var result = Assert.Single(Trainer.Train(Config(epochs: 3), maps, overwrite: false, "test"));
        Assert.Equal(TrainingStatus.Completed, result.Status);
        var split = new SplitLayout(maps, 0);
        Assert.Equal(3, AssertEventsEqualLog(split));
    }

    [Fact]
    public void A_run_resumed_from_an_older_checkpoint_has_each_epoch_once_with_the_values_of_training_tsv()
    {
        var maps = Path.Combine(_root, "maps");
        var split = new SplitLayout(maps, 0);
        var olderCheckpoint = Path.Combine(_root, "checkpoint-epoch-0.pt");
        using var stop = new CancellationTokenSource();
        var progress = new Recorder(p =>
        {
            if (p.Epoch == 1 && !File.Exists(olderCheckpoint))
            {
                File.Copy(split.Checkpoint(), olderCheckpoint);
            }
            if (p.Epoch == 2)
            {
                stop.Cancel();
            }
        });
        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Train(Config(epochs: 4), maps, overwrite: false, "test", progress, cancellation: stop.Token));
        // As if killed after epoch 1's row and scalars were written but before its checkpoint: the resumed run
        // trains epoch 1 again.
        File.Copy(olderCheckpoint, split.Checkpoint(), overwrite: true);
        Assert.Equal(2, TrainingLog.Read(split.TrainingLog()).Rows.Count);
        Assert.Equal(1 + 2 * 13, TensorBoardEventFile.Read(Directory.GetFiles(split.TensorBoard("train")).Single()).Count);

        var result = Assert.Single(Trainer.Resume(maps, "test"));

        Assert.Equal(TrainingStatus.Completed, result.Status);
        Assert.Equal(4, AssertEventsEqualLog(split));
    }

    /// <summary>Asserts that each run folder's single event file holds training.tsv; returns its epoch count.</summary>
    private static int AssertEventsEqualLog(SplitLayout split)
    {
        var log = TrainingLog.Read(split.TrainingLog());
        var metrics = log.Columns.Where(c => c.EndsWith("_train", StringComparison.Ordinal)).Select(c => c[..^"_train".Length]).ToList();
        Assert.Equal(13, metrics.Count); // classification's 11 metrics and the loss
        foreach (var (run, suffix) in new[] { ("train", "_train"), ("validation", "_valid") })
        {
            var file = Assert.Single(Directory.GetFiles(split.TensorBoard(run)));
            Assert.Matches(@"^events\.out\.tfevents\.\d{10}\." + Regex.Escape(Environment.MachineName) + @"\.\d+\.\d+$", Path.GetFileName(file));
            var events = TensorBoardEventFile.Read(file);
            Assert.Equal("brain.Event:2", events[0].FileVersion);
            Assert.Empty(events[0].Scalars);
            var scalars = events.Skip(1).Select(e => (e.Step, Scalar: Assert.Single(e.Scalars))).ToList();
            Assert.Equal(log.Rows.Count * metrics.Count, scalars.Count);
            for (var row = 0; row < log.Rows.Count; row++)
            {
                var epoch = int.Parse(log.Rows[row][0]!, CultureInfo.InvariantCulture);
                Assert.Equal(row, epoch);
                for (var m = 0; m < metrics.Count; m++)
                {
                    var (step, (tag, value)) = scalars[row * metrics.Count + m];
                    // ClinicaDL's i + epoch * len(train_loader), i the index of the epoch's last batch.
                    Assert.Equal((Batches - 1) + epoch * Batches, step);
                    Assert.Equal(metrics[m], tag);
                    Assert.Equal((float)double.Parse(log.Rows[row][log.IndexOf(metrics[m] + suffix)]!, CultureInfo.InvariantCulture), value);
                }
            }
        }
        return log.Rows.Count;
    }

    private TrainingConfig Config(int epochs)
    {
        var (caps, split) = TinyStudy.Create(_root, participants: 8, seed: 4);
        return TrainingConfig.Build(null, new Dictionary<string, object?>
        {
            ["caps_directory"] = caps, ["tsv_path"] = split, ["epochs"] = epochs, ["batch_size"] = 2,
            ["threads"] = Environment.ProcessorCount, ["bootstrap_resamples"] = 10, ["selection_metrics"] = new[] { "loss" },
            ["patience"] = 0,
        });
    }
}
