using System.Text.Json.Nodes;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Tests.Networks;
using ClinicaDL.Core.Training;
using ClinicaDL.Core.Workflows;

namespace ClinicaDL.Core.Tests.Workflows;

/// <summary>
/// A random search's trial configuration (ClinicaDL's random_sampling output with architecture = RandomArchitecture)
/// trains; its maps.json carries the network's keys under ClinicaDL's names, so ClinicaDL's _init_model finds every
/// argument, and maps.json as -ConfigPath rebuilds the same network (the same initial weights from the seed) and
/// trains it to the same training.tsv, bit for bit (the same seed, data and threads give the same bits: before
/// <see cref="ClinicaDL.Core.Networks.BlockAlignedConvolution"/> the 4-channel convolutions' input gradients read
/// uninitialised memory and the two runs differed).
/// </summary>
public sealed class RandomArchitectureTrainingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("clinicadl-randarch-train-").FullName;

    public RandomArchitectureTrainingTests() => TorchNatives.EnsureLoaded();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_trial_configuration_trains_and_its_maps_json_replays_it()
    {
        var (caps, split) = TinyStudy.Create(_root, participants: 8, seed: 6);
        var blocks = RandomArchitectureTests.Blocks("MaxPooling", (4, 1), (8, 2));
        // As ClinicaDL's random_sampling returns a trial (fixed and sampled keys), plus what launch_search adds.
        var trial = new Dictionary<string, object?>
        {
            ["architecture"] = "RandomArchitecture", ["network_task"] = "classification", ["caps_directory"] = caps, ["tsv_path"] = split,
            ["convolutions_dict"] = blocks, ["n_fcblocks"] = 2, ["network_normalization"] = "BatchNorm", ["dropout"] = 0.3,
            ["channels_limit"] = 512, ["wd_bool"] = true, ["weight_decay"] = 1e-4, ["learning_rate"] = 1e-4, ["optimizer"] = "Adam",
            ["accumulation_steps"] = 1, ["epochs"] = 1, ["batch_size"] = 2, ["seed"] = 3, ["bootstrap_resamples"] = 10,
        };
        var maps = Path.Combine(_root, "trial");

        Assert.All(Trainer.Train(TrainingConfig.Build(null, trial), maps, overwrite: false, "test"), r => Assert.Equal(TrainingStatus.Completed, r.Status));

        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(maps, "maps.json")))!.AsObject();
        Assert.Equal("RandomArchitecture", written["architecture"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(blocks, written["convolutions_dict"]), written["convolutions_dict"]?.ToJsonString());
        Assert.Equal(2, written["n_fcblocks"]!.GetValue<int>());
        Assert.Equal("BatchNorm", written["network_normalization"]!.GetValue<string>());
        // ClinicaDL's RandomArchitecture(convolutions_dict, n_fcblocks, input_size, dropout, network_normalization, output_size, gpu): each from maps.json.
        Assert.All(new[] { "input_size", "dropout", "output_size", "gpu" }, key => Assert.True(written.ContainsKey(key), key));

        Assert.Single(Losses(maps));
        // maps.json as the configuration gives the same network: the same weights from the same seed, by the same names.
        var original = TrainingConfig.Build(null, trial);
        var replayed = TrainingConfig.Build(Path.Combine(maps, "maps.json"), new Dictionary<string, object?>());
        Assert.Equal(original.NetworkSettings.ConvolutionBlocks, replayed.NetworkSettings.ConvolutionBlocks);
        Assert.Equal(Weights(original, 3), Weights(replayed, 3));
        var replay = Path.Combine(_root, "replay");
        Assert.All(Trainer.Train(replayed, replay, overwrite: false, "test"), r => Assert.Equal(TrainingStatus.Completed, r.Status));
        Assert.True(JsonNode.DeepEquals(written["convolutions_dict"], JsonNode.Parse(File.ReadAllText(Path.Combine(replay, "maps.json")))!["convolutions_dict"]));
        Assert.Single(Losses(replay));
        Assert.Equal(Losses(maps), Losses(replay));

        // The kept model loads back into the network maps.json describes, with ClinicaDL's names.
        var opened = MapsFolder.Open(maps);
        using var network = opened.Configuration.NewNetwork([.. opened.InputSize!]);
        ModelFile.Load(network, opened.Split(0).FindBestModel("loss")!);
        Assert.Contains("convolutions.conv1.3.weight", network.state_dict().Keys);
        Assert.Contains("fc.FC1.0.weight", network.state_dict().Keys);
    }

    [Fact]
    public void Without_its_keys_nothing_is_written()
    {
        var (caps, split) = TinyStudy.Create(_root, participants: 8, seed: 6);
        var maps = Path.Combine(_root, "refused");
        var config = TrainingConfig.Build(null, new Dictionary<string, object?> { ["architecture"] = "RandomArchitecture", ["caps_directory"] = caps, ["tsv_path"] = split });

        var error = Assert.Throws<ArgumentException>(() => Trainer.Train(config, maps, overwrite: false, "test"));

        Assert.Contains("lacks convolutions_dict and n_fcblocks", error.Message);
        Assert.False(Directory.Exists(maps));
    }

    /// <summary>A new network of the configuration for the tiny study's images, from a seed: its weights by name.</summary>
    private static Dictionary<string, string> Weights(TrainingConfig config, int seed)
    {
        config.LabelCode = new Dictionary<string, int> { ["AD"] = 0, ["CN"] = 1 };
        TorchSharp.torch.manual_seed(seed);
        using var network = config.NewNetwork([1, 20, 24, 20]);
        using var scope = TorchSharp.torch.NewDisposeScope();
        return network.state_dict().ToDictionary(p => p.Key, p => p.Value.to_type(TorchSharp.torch.ScalarType.Float64).sum().item<double>().ToString("R", System.Globalization.CultureInfo.InvariantCulture));
    }

    private static List<string> Losses(string maps)
    {
        var log = TrainingLog.Read(new MapsLayout(maps).Split(0).TrainingLog());
        var kept = log.Columns.Select((c, i) => (c, i)).Where(c => !c.c.Contains("time", StringComparison.OrdinalIgnoreCase)).Select(c => c.i).ToList();
        return log.Rows.Select(r => string.Join("\t", kept.Select(i => r[i]))).ToList();
    }
}
