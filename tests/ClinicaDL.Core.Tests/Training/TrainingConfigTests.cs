using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Tests.Training;

public sealed class TrainingConfigTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-config-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Defaults_are_clinicadls()
    {
        var config = TrainingConfig.Build(null, new Dictionary<string, object?>());
        Assert.Equal("Conv5_FC3", config.ResolvedArchitecture);
        Assert.Equal(8, config.BatchSize);
        Assert.Equal(20, config.Epochs);
        Assert.Equal(1e-4, config.LearningRate);
        Assert.Equal(1e-4, config.WeightDecay);
        Assert.Equal("Adam", config.Optimizer);
        Assert.Equal(["loss"], config.SelectionMetrics);
        Assert.Equal("diagnosis", config.ResolvedLabel);
        Assert.Equal("CrossEntropyLoss", config.ResolvedLoss);
        Assert.True(config.Normalize);
        Assert.Equal(0, config.Seed);
    }

    [Fact]
    public void A_clinicadl_toml_is_read_and_command_line_values_win()
    {
        var toml = Path.Combine(_folder, "train_config.toml");
        File.WriteAllText(toml, """
            [Model]
            architecture = "Conv4_FC3"
            [Classification]
            selection_metrics = ["loss", "BA"]
            [Optimization]
            epochs = 7
            learning_rate = 1e-3
            [Transfer_learning]
            transfer_path = false
            [Data]
            data_augmentation = false
            diagnoses = ["AD", "CN"]
            [Informations]
            some_future_key = 3
            """);
        var notes = new List<string>();

        var config = TrainingConfig.Build(toml, new Dictionary<string, object?> { ["epochs"] = 3 }, notes);

        Assert.Equal("Conv4_FC3", config.Architecture);
        Assert.Equal(["loss", "BA"], config.SelectionMetrics);
        Assert.Equal(3, config.Epochs);
        Assert.Equal(1e-3, config.LearningRate);
        Assert.Null(config.TransferPath);
        Assert.Empty(config.DataAugmentation);
        Assert.Contains(notes, n => n.Contains("some_future_key"));
    }

    [Fact]
    public void Its_json_replays_to_the_same_configuration()
    {
        var config = TrainingConfig.Build(null, new Dictionary<string, object?> { ["epochs"] = 4, ["seed"] = 9, ["selection_metrics"] = new[] { "BA" } });
        var json = Path.Combine(_folder, "maps.json");
        File.WriteAllText(json, config.ToJson());

        Assert.Equal(config.ToJson(), TrainingConfig.Build(json, new Dictionary<string, object?>()).ToJson());
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_named()
    {
        var error = Assert.Throws<ArgumentException>(() => TrainingConfig.Build(null, new Dictionary<string, object?> { ["epochs"] = "many" }));
        Assert.Contains("wrong type", error.Message);
    }
}
