using ClinicaDL.Core.Generation;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;
using ClinicaDL.Core.Workflows;
using TorchSharp;

namespace ClinicaDL.Core.Tests.Workflows;

/// <summary>
/// Every tensor of a training is disposed deterministically: the count of live tensors the training thread made is
/// the same at the end of every epoch (a leak of one tensor per batch or per epoch shows as growth: zero_grad
/// outside a dispose scope left 26 per epoch), and the run leaves none behind (building a network left one
/// per convolution).
/// </summary>
public sealed class TrainerMemoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("clinicadl-trainer-").FullName;

    public TrainerMemoryTests() => TorchNatives.EnsureLoaded();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Live_tensors_do_not_grow_across_epochs_and_none_outlive_the_run()
    {
        var (caps, split) = TinyStudy.Create(_root, participants: 8, seed: 4);
        var config = TrainingConfig.Build(null, new Dictionary<string, object?>
        {
            ["caps_directory"] = caps, ["tsv_path"] = split, ["epochs"] = 4, ["batch_size"] = 2,
            ["threads"] = Environment.ProcessorCount, ["bootstrap_resamples"] = 10, ["data_augmentation"] = new[] { "Noise", "Erasing" },
            ["selection_metrics"] = new[] { "loss", "BA" },
        });
        var live = new Dictionary<int, long>();
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var results = Trainer.Train(config, Path.Combine(_root, "maps"), overwrite: false, "test",
            new Recorder(p => live[p.Epoch] = p.Phase == "evaluating" ? DisposeScopeManager.Statistics.ThreadTotalLiveCount : live.GetValueOrDefault(p.Epoch)));
        Assert.Equal(TrainingStatus.Completed, Assert.Single(results).Status);
        Assert.Equal(4, live.Count);
        // Epoch 0 creates the optimiser's state; from then on the count at each epoch's end is the same.
        Assert.Equal(live[1], live[2]);
        Assert.Equal(live[1], live[3]);
        // The count is per thread: images decoded on worker threads are disposed here, so the run may end below
        // where it began, never above.
        Assert.InRange(DisposeScopeManager.Statistics.ThreadTotalLiveCount, long.MinValue, before);
    }
}
