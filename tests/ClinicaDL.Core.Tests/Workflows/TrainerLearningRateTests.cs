using System.Globalization;
using ClinicaDL.Core.Generation;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;
using ClinicaDL.Core.Workflows;

namespace ClinicaDL.Core.Tests.Workflows;

/// <summary>
/// The trainer follows the plateau state a checkpoint holds: a run stopped after epoch 0 whose checkpoint says ten
/// epochs have passed without improvement lowers the rate after the next one, as an uninterrupted run at that
/// point would. (Reaching ten real bad epochs would take over eleven epochs of training; the Pester kill-and-resume
/// tests compare whole runs.)
/// </summary>
public sealed class TrainerLearningRateTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("clinicadl-trainer-lr-").FullName;

    public TrainerLearningRateTests() => TorchNatives.EnsureLoaded();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_resumed_run_lowers_the_rate_from_the_plateau_state_of_its_checkpoint()
    {
        var (caps, split) = TinyStudy.Create(_root, participants: 8, seed: 4);
        const double rate = 5e-4;
        var config = TrainingConfig.Build(null, new Dictionary<string, object?>
        {
            ["caps_directory"] = caps, ["tsv_path"] = split, ["epochs"] = 3, ["batch_size"] = 2, ["learning_rate"] = rate,
            ["adaptive_learning_rate"] = true, ["bootstrap_resamples"] = 10,
        });
        var mapsPath = Path.Combine(_root, "maps");

        // Stopped during epoch 1: the checkpoint is epoch 0's.
        using var stop = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Train(config, mapsPath, overwrite: false, "test",
            new Recorder(p => { if (p.Epoch == 1 && p.Batch >= 1) { stop.Cancel(); } }), cancellation: stop.Token));
        var maps = MapsFolder.Open(mapsPath);
        var checkpointPath = maps.Layout.Split(0).Checkpoint();
        var trained = maps.Configuration;
        using (var model = trained.NewNetwork([.. maps.InputSize!]))
        using (var optimizer = Optimizers.Create(trained, model))
        {
            var checkpoint = Checkpoint.Load(checkpointPath, model, optimizer);
            Assert.Equal(0, checkpoint.Epoch);
            var validationLoss = double.Parse(TrainingLog.Read(maps.Layout.Split(0).TrainingLog()).Cell(0, "loss_valid")!, CultureInfo.InvariantCulture);
            // What epoch 0 left: its loss the first best, no bad epoch, the rate unchanged.
            Assert.Equal(new PlateauReduction.State(rate, validationLoss, 0, 0), checkpoint.Plateau);
            // As if ten epochs had passed without beating a best of 0: the next epoch is the eleventh.
            new Checkpoint
            {
                Epoch = 0, Best = checkpoint.Best, BestLoss = checkpoint.BestLoss, EpochsWithoutImprovement = checkpoint.EpochsWithoutImprovement,
                Plateau = new PlateauReduction.State(rate, 0, 10, 0),
            }.Save(checkpointPath, model, optimizer);
        }

        Assert.Equal(TrainingStatus.Completed, Assert.Single(Trainer.Resume(mapsPath, "test")).Status);

        var rates = TrainingLog.Read(maps.Layout.Split(0).TrainingLog()).Rows.Select(r => double.Parse(r[^1]!, CultureInfo.InvariantCulture));
        Assert.Equal([rate, rate, rate * PlateauReduction.Factor], rates);
    }
}
