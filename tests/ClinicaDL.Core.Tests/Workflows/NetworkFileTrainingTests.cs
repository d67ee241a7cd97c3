using System.Text.Json.Nodes;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Tests.Networks;
using ClinicaDL.Core.Training;
using ClinicaDL.Core.Workflows;

namespace ClinicaDL.Core.Tests.Workflows;

/// <summary>
/// A network file trains as the built-in network it describes (the example Conv5_FC3 file: the same training.tsv
/// from the same seed), its MAPS keeps a copy that maps.json names, and that copy alone rebuilds the network: for a
/// prediction after the original is gone, for a replay of the experiment from maps.json, and for a resumed run;
/// and a built-in Conv5_FC3 MAPS transfers its weights to it.
/// </summary>
public sealed class NetworkFileTrainingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("clinicadl-netfile-train-").FullName;

    public NetworkFileTrainingTests() => TorchNatives.EnsureLoaded();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Once_the_MAPS_exists_the_network_comes_from_its_copy_and_overwrite_replaces_the_copy()
    {
        var (caps, split) = TinyStudy.Create(_root, participants: 8, seed: 5);
        var network = Path.Combine(_root, "mine.psd1");
        File.Copy(NetworkFileTests.Example, network);
        var config = TrainingConfig.Build(null, new Dictionary<string, object?>
        {
            ["caps_directory"] = caps, ["tsv_path"] = split, ["epochs"] = 1, ["batch_size"] = 2, ["seed"] = 3,
            ["architecture"] = network, ["bootstrap_resamples"] = 10,
        });
        var maps = Path.Combine(_root, "maps");
        // The user's file breaks as soon as training starts: every later build (the kept models, the summary's
        // evaluation, model.pth.tar) must read the MAPS' copy, the network maps.json names.
        var edited = false;
        var progress = new Recorder(_ =>
        {
            if (!edited)
            {
                File.WriteAllText(network, "@{ Layers = @( @{ Layer = 'Nonsense' } ) }");
                edited = true;
            }
        });
        Assert.All(Trainer.Train(config, maps, overwrite: false, "test", progress), r => Assert.Equal(TrainingStatus.Completed, r.Status));
        Assert.True(edited);
        Assert.Equal(File.ReadAllBytes(NetworkFileTests.Example), File.ReadAllBytes(Path.Combine(maps, "architecture.psd1")));

        // The copy is the MAPS' own: -Overwrite replaces the MAPS instead of refusing it as foreign content.
        File.Copy(NetworkFileTests.Example, network, overwrite: true);
        var again = TrainingConfig.Build(null, new Dictionary<string, object?>
        {
            ["caps_directory"] = caps, ["tsv_path"] = split, ["epochs"] = 1, ["batch_size"] = 2, ["seed"] = 3,
            ["architecture"] = network, ["bootstrap_resamples"] = 10,
        });
        Assert.All(Trainer.Train(again, maps, overwrite: true, "test"), r => Assert.Equal(TrainingStatus.Completed, r.Status));
    }

    [Fact]
    public void The_Conv5_FC3_file_trains_to_the_built_in_loss_curve_and_its_MAPS_rebuilds_it_from_its_copy()
    {
        var (caps, split) = TinyStudy.Create(_root, participants: 8, seed: 4);
        var network = Path.Combine(_root, "mine", "conv5.psd1");
        Directory.CreateDirectory(Path.GetDirectoryName(network)!);
        File.Copy(NetworkFileTests.Example, network);
        TrainingConfig Config(string architecture) => TrainingConfig.Build(null, new Dictionary<string, object?>
        {
            ["caps_directory"] = caps, ["tsv_path"] = split, ["epochs"] = 2, ["batch_size"] = 2, ["seed"] = 3, ["dropout"] = 0.2,
            ["architecture"] = architecture, ["bootstrap_resamples"] = 10,
        });
        var builtIn = Path.Combine(_root, "builtin");
        var fromFile = Path.Combine(_root, "file");
        Assert.All(Trainer.Train(Config("Conv5_FC3"), builtIn, overwrite: false, "test"), r => Assert.Equal(TrainingStatus.Completed, r.Status));
        Assert.All(Trainer.Train(Config(network), fromFile, overwrite: false, "test"), r => Assert.Equal(TrainingStatus.Completed, r.Status));

        var expected = Losses(builtIn);
        Assert.Equal(2, expected.Count);
        Assert.Equal(expected, Losses(fromFile));

        // The MAPS keeps the file as architecture.psd1, named by maps.json.
        var copy = Path.Combine(fromFile, "architecture.psd1");
        Assert.Equal(File.ReadAllBytes(network), File.ReadAllBytes(copy));
        var description = JsonNode.Parse(File.ReadAllText(Path.Combine(fromFile, "maps.json")))!.AsObject();
        Assert.Equal("architecture.psd1", description["architecture"]!.GetValue<string>());
        File.Delete(network);

        var maps = MapsFolder.Open(fromFile);
        Assert.Equal(copy, maps.Configuration.ArchitectureFile);
        var rows = Predictor.Predict(new PredictionOptions
        {
            MapsPath = fromFile, DataGroup = "check", CapsPath = caps, TsvPath = Path.Combine(split, "validation_baseline.tsv"), AllowDataLeakage = true,
        });
        Assert.Equal(2, rows.Count);

        // maps.json as a configuration replays the experiment, with the network from the copy beside it.
        var replay = Path.Combine(_root, "replay");
        Assert.All(Trainer.Train(TrainingConfig.Build(Path.Combine(fromFile, "maps.json"), new Dictionary<string, object?>()), replay, overwrite: false, "test"),
            r => Assert.Equal(TrainingStatus.Completed, r.Status));
        Assert.Equal(expected, Losses(replay));
        Assert.True(File.Exists(Path.Combine(replay, "architecture.psd1")));

        // Transfer learning from the built-in Conv5_FC3's MAPS: the file network has its state dict.
        var transferred = Path.Combine(_root, "transferred");
        var transfer = TrainingConfig.Build(null, new Dictionary<string, object?>
        {
            ["caps_directory"] = caps, ["tsv_path"] = split, ["epochs"] = 1, ["batch_size"] = 2, ["seed"] = 3,
            ["architecture"] = Path.Combine(fromFile, "architecture.psd1"), ["bootstrap_resamples"] = 10, ["transfer_path"] = builtIn,
        });
        Assert.All(Trainer.Train(transfer, transferred, overwrite: false, "test"), r => Assert.Equal(TrainingStatus.Completed, r.Status));
        var transferredMaps = MapsFolder.Open(transferred);
        using (var source = MapsFolder.Open(builtIn).Configuration.NewNetwork([.. MapsFolder.Open(builtIn).InputSize!]))
        using (var target = transferredMaps.Configuration.NewNetwork([.. transferredMaps.InputSize!]))
        {
            Assert.Equal(source.state_dict().Keys, target.state_dict().Keys);
        }

        // Stopped during epoch 1 and resumed from the MAPS' copy: the same two epochs.
        var resumed = Path.Combine(_root, "resumed");
        using var stop = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Train(TrainingConfig.Build(Path.Combine(fromFile, "maps.json"), new Dictionary<string, object?>()),
            resumed, overwrite: false, "test", new Recorder(p => { if (p.Epoch == 1 && p.Batch >= 1) { stop.Cancel(); } }), cancellation: stop.Token));
        Assert.Single(Losses(resumed));
        Assert.All(Trainer.Resume(resumed, "test"), r => Assert.Equal(TrainingStatus.Completed, r.Status));
        Assert.Equal(expected, Losses(resumed));
    }


    [Fact]
    public void A_file_network_serves_only_its_task()
    {
        var autoencoder = Path.Combine(_root, "ae.json");
        File.WriteAllText(autoencoder, """{ "Autoencoder": true, "Layers": [ { "Layer": "Conv", "Channels": 1, "Kernel": 3, "Padding": 1 } ] }""");
        var config = TrainingConfig.Build(null, new Dictionary<string, object?> { ["caps_directory"] = _root, ["tsv_path"] = _root, ["architecture"] = autoencoder });
        var error = Assert.Throws<ArgumentException>(config.Validate);
        Assert.Contains($"The network file '{autoencoder}' describes a reconstruction network, not a classification one", error.Message);
    }

    [Fact]
    public void A_relative_architecture_in_a_configuration_file_is_found_from_that_file_s_folder_and_a_missing_one_is_refused_before_training()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root, "experiment")).FullName;
        File.WriteAllText(Path.Combine(folder, "net.json"), """{ "Layers": [ { "Layer": "Flatten" }, { "Layer": "Linear", "Out": 2 } ] }""");
        var toml = Path.Combine(folder, "train.toml");
        File.WriteAllText(toml, "[Model]\narchitecture = \"net.json\"\n");
        var overrides = new Dictionary<string, object?> { ["caps_directory"] = _root, ["tsv_path"] = _root };
        // The current directory is not the file's folder: the file is found from the configuration's folder alone.
        Assert.NotEqual(folder, Environment.CurrentDirectory);
        var config = TrainingConfig.Build(toml, overrides);
        Assert.Equal(Path.Combine(folder, "net.json"), config.ArchitectureFile);
        config.Validate();

        foreach (var missing in new[] { "gone.json", "gone.pt" })
        {
            File.WriteAllText(toml, $"[Model]\narchitecture = \"{missing}\"\n");
            var error = Assert.Throws<FileNotFoundException>(TrainingConfig.Build(toml, overrides).Validate);
            Assert.Equal($"The architecture file '{Path.Combine(folder, missing)}' does not exist (a relative architecture is found from the configuration file's folder, {folder}).", error.Message);
        }
    }

    /// <summary>Each epoch's losses and metrics, the training time left out.</summary>
    private static List<string> Losses(string maps)
    {
        var log = TrainingLog.Read(new MapsLayout(maps).Split(0).TrainingLog());
        var kept = log.Columns.Select((c, i) => (c, i)).Where(c => !c.c.Contains("time", StringComparison.OrdinalIgnoreCase)).Select(c => c.i).ToList();
        Assert.Contains(log.Columns, c => c == "loss_train");
        return log.Rows.Select(r => string.Join("\t", kept.Select(i => r[i]))).ToList();
    }
}
