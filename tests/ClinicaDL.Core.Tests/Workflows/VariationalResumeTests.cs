using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;
using ClinicaDL.Core.Workflows;

namespace ClinicaDL.Core.Tests.Workflows;

/// <summary>
/// A VAE draws its codes from torch's global generator in every training step, so a resumed run matches an
/// uninterrupted one only if the checkpoint carries that generator's state: the same training.tsv, bit for bit.
/// </summary>
public sealed class VariationalResumeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("clinicadl-vae-resume-").FullName;

    public VariationalResumeTests() => TorchNatives.EnsureLoaded();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_resumed_vae_run_draws_the_codes_of_an_uninterrupted_one()
    {
        var (caps, split) = TinyStudy.Create(_root, participants: 6, seed: 4);
        var config = TrainingConfig.Build(null, new Dictionary<string, object?>
        {
            ["caps_directory"] = caps, ["tsv_path"] = split, ["network_task"] = "reconstruction", ["architecture"] = "Vanilla3DspacialVAE",
            ["epochs"] = 2, ["batch_size"] = 2, ["bootstrap_resamples"] = 10,
        });
        var whole = Path.Combine(_root, "whole");
        Assert.Equal(TrainingStatus.Completed, Assert.Single(Trainer.Train(config, whole, overwrite: false, "test")).Status);

        var resumed = Path.Combine(_root, "resumed");
        using var stop = new CancellationTokenSource();
        // Stopped during epoch 1, after some of its codes were drawn: the checkpoint is epoch 0's.
        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Train(config, resumed, overwrite: false, "test",
            new Recorder(p => { if (p.Epoch == 1 && p.Batch >= 1) { stop.Cancel(); } }), cancellation: stop.Token));
        Assert.Equal(TrainingStatus.Completed, Assert.Single(Trainer.Resume(resumed, "test")).Status);

        var expected = Losses(whole);
        Assert.Equal(2, expected.Count);
        Assert.Equal(expected, Losses(resumed));
    }

    /// <summary>Each epoch's losses and metrics, the times left out.</summary>
    private static List<string> Losses(string maps)
    {
        var log = TrainingLog.Read(new MapsLayout(maps).Split(0).TrainingLog());
        var kept = log.Columns.Select((c, i) => (c, i)).Where(c => !c.c.Contains("time", StringComparison.OrdinalIgnoreCase)).Select(c => c.i).ToList();
        Assert.Contains(log.Columns, c => c == "loss_train");
        return log.Rows.Select(r => string.Join("\t", kept.Select(i => r[i]))).ToList();
    }
}
