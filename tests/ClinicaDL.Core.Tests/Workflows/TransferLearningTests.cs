using ClinicaDL.Core.Generation;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;
using ClinicaDL.Core.Workflows;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Workflows;

/// <summary>
/// ClinicaDL's transfer learning: a CNN starts from an autoencoder's encoder, and with nb_unfrozen_layer only the
/// last 2n parameters train. Training with every convolution frozen must leave the CNN's convolution parameters
/// equal, bit for bit, to the autoencoder's encoder, and change the dense layers.
/// </summary>
public sealed class TransferLearningTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("clinicadl-transfer-").FullName;

    public TransferLearningTests() => TorchNatives.EnsureLoaded();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_CNN_takes_the_autoencoder_s_encoder_and_trains_only_its_unfrozen_layers()
    {
        var (caps, split) = TinyStudy.Create(_root, participants: 8, seed: 5);
        Dictionary<string, object?> Settings(params (string Key, object? Value)[] more)
        {
            var settings = new Dictionary<string, object?>
            {
                ["caps_directory"] = caps, ["tsv_path"] = split, ["epochs"] = 2, ["batch_size"] = 2,
                ["threads"] = 1, ["bootstrap_resamples"] = 0, ["learning_rate"] = 1e-2,
            };
            foreach (var (key, value) in more)
            {
                settings[key] = value;
            }
            return settings;
        }
        var autoEncoderMaps = Path.Combine(_root, "ae");
        Trainer.Train(TrainingConfig.Build(null, Settings(("network_task", "reconstruction"), ("architecture", "AE_Conv5_FC3"))), autoEncoderMaps, overwrite: false, "test");
        var cnnMaps = Path.Combine(_root, "cnn");
        // Conv5_FC3's head is three Linear layers: 3 unfrozen layers are its 6 dense parameters, the convolutions stay frozen.
        var results = Trainer.Train(TrainingConfig.Build(null, Settings(("transfer_path", autoEncoderMaps), ("nb_unfrozen_layer", 3))), cnnMaps, overwrite: false, "test");
        Assert.Equal(TrainingStatus.Completed, Assert.Single(results).Status);

        var shape = new long[] { 1, 57, 70, 60 };
        var encoder = Weights(autoEncoderMaps, "AE_Conv5_FC3", shape);
        var cnn = Weights(cnnMaps, "Conv5_FC3", shape);
        using var untrained = ClinicaDL.Core.Networks.NetworkRegistry.Create("Conv5_FC3", shape, 2, 0.0);
        var convolutionParameters = untrained.named_parameters().Select(p => p.name).Where(n => n.StartsWith("convolutions.", StringComparison.Ordinal)).ToList();
        Assert.Equal(20, convolutionParameters.Count);
        foreach (var name in convolutionParameters)
        {
            Assert.True(cnn[name].eq(encoder["encoder." + name["convolutions.".Length..]]).all().item<bool>(), $"{name} is not the encoder's");
        }
        // The dense layers trained: they differ from the same seed's untrained ones.
        Assert.False(cnn["fc.6.weight"].eq(untrained.state_dict()["fc.6.weight"]).all().item<bool>());
    }

    private static Dictionary<string, Tensor> Weights(string maps, string architecture, long[] shape)
    {
        // Copies: the model's own tensors would be freed with it (by its finalizer, at any collection).
        using var model = ClinicaDL.Core.Networks.NetworkRegistry.Create(architecture, shape, 2, 0.0);
        ModelFile.Load(model, new SplitLayout(maps, 0).BestModel("loss"));
        return model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
    }
}
