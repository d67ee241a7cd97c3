using System.Text.Json.Nodes;
using ClinicaDL.Core.Networks;
using ClinicaDL.Core.Tests.Networks;
using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Tests.Training;

/// <summary>
/// RandomArchitecture's keys (convolutions_dict, n_fcblocks, network_normalization) are settings of the training
/// configuration, read from a dictionary, a maps.json or a TOML, and refused before training when missing or not in
/// ClinicaDL's form; given to another network they are named in the note of keys without effect.
/// </summary>
public sealed class RandomArchitectureConfigTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-randarch-config-").FullName;

    public RandomArchitectureConfigTests() => TorchNatives.EnsureLoaded();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_clinicadl_style_dictionary_gives_the_networks_settings()
    {
        var notes = new List<string>();
        var config = TrainingConfig.Build(null, new Dictionary<string, object?>
        {
            ["architecture"] = "RandomArchitecture", ["caps_directory"] = "caps", ["tsv_path"] = "split",
            ["convolutions_dict"] = RandomArchitectureTests.Blocks("stride", (8, 2), (16, 1)), ["n_fcblocks"] = 3, ["network_normalization"] = "InstanceNorm",
            ["dropout"] = 0.25, ["channels_limit"] = 512, ["wd_bool"] = true,
        }, notes);

        config.Validate();
        var settings = config.NetworkSettings;
        Assert.Equal(["conv0 null->8 x2 stride", "conv1 8->16 x1 stride"], settings.ConvolutionBlocks!.Select(b => $"{b.Name} {b.InChannels?.ToString() ?? "null"}->{b.OutChannels} x{b.ConvolutionCount} {b.DimensionReduction}"));
        Assert.Equal(3, settings.FullyConnectedBlocks);
        Assert.Equal("InstanceNorm", settings.NetworkNormalization);
        Assert.Equal(0.25, settings.Dropout);
        // The search's own keys change nothing in training: one note names them.
        Assert.Contains("channels_limit, wd_bool (read only by random search's sampling, not by training)", Assert.Single(notes));
    }

    [Fact]
    public void A_nested_dictionary_and_a_null_normalisation_read_as_ClinicaDLs_json()
    {
        var config = TrainingConfig.Build(null, new Dictionary<string, object?>
        {
            ["architecture"] = "RandomArchitecture", ["caps_directory"] = "caps", ["tsv_path"] = "split", ["n_fcblocks"] = 1, ["network_normalization"] = null,
            ["convolutions_dict"] = new Dictionary<string, object?>
            {
                ["conv0"] = new Dictionary<string, object?> { ["in_channels"] = null, ["out_channels"] = 4, ["n_conv"] = 1, ["d_reduction"] = "MaxPooling" },
            },
        });

        config.Validate();
        Assert.Null(config.NetworkNormalization);
        Assert.Equal(4, Assert.Single(config.NetworkSettings.ConvolutionBlocks!).OutChannels);
        // Written as null (ClinicaDL's None), not dropped: the maps.json key ClinicaDL's _init_model requires.
        var json = JsonNode.Parse(config.ToJson())!.AsObject();
        Assert.True(json.ContainsKey("network_normalization"));
        Assert.Null(json["network_normalization"]);
    }

    /// <summary>TOML has no null: in_channels is the input's channel count, and "None" stands for no normalisation.</summary>
    [Fact]
    public void A_toml_gives_the_blocks_as_tables_in_order()
    {
        var path = Path.Combine(_folder, "train.toml");
        File.WriteAllText(path, """
            [Model]
            architecture = "RandomArchitecture"
            [Architecture]
            dropout = 0.1
            n_fcblocks = 2
            network_normalization = "None"
            [Architecture.convolutions_dict.conv0]
            in_channels = 1
            out_channels = 4
            n_conv = 2
            d_reduction = "MaxPooling"
            [Architecture.convolutions_dict.conv1]
            in_channels = 4
            out_channels = 8
            n_conv = 1
            d_reduction = "MaxPooling"
            """);

        var config = TrainingConfig.Build(path, new Dictionary<string, object?> { ["caps_directory"] = "caps", ["tsv_path"] = "split" });

        config.Validate();
        Assert.Null(config.NetworkNormalization);
        Assert.Equal(["conv0", "conv1"], config.NetworkSettings.ConvolutionBlocks!.Select(b => b.Name));
        Assert.Equal(2, config.NetworkSettings.FullyConnectedBlocks);
        using var network = NetworkRegistry.Create(config.ResolvedArchitecture, [1, 20, 22, 18], 2, config.NetworkSettings);
        Assert.Equal("RandomArchitecture", network.GetName());
    }

    [Theory]
    [InlineData(true, false, "the configuration lacks n_fcblocks.")]
    [InlineData(false, true, "the configuration lacks convolutions_dict.")]
    [InlineData(false, false, "the configuration lacks convolutions_dict and n_fcblocks.")]
    public void Without_its_keys_RandomArchitecture_is_refused_saying_which_and_what_they_look_like(bool withBlocks, bool withFc, string lacks)
    {
        var values = new Dictionary<string, object?> { ["architecture"] = "RandomArchitecture", ["caps_directory"] = "caps", ["tsv_path"] = "split" };
        if (withBlocks)
        {
            values["convolutions_dict"] = RandomArchitectureTests.Blocks("stride", (8, 1));
        }
        if (withFc)
        {
            values["n_fcblocks"] = 2;
        }

        var error = Assert.Throws<ArgumentException>(TrainingConfig.Build(null, values).Validate);

        Assert.Contains($"architecture RandomArchitecture is built from convolutions_dict and n_fcblocks; {lacks}", error.Message);
        Assert.Contains("\"convolutions_dict\": {\"conv0\": {\"in_channels\": null, \"out_channels\": 8, \"n_conv\": 1, \"d_reduction\": \"MaxPooling\"}", error.Message);
        Assert.Contains("\"n_fcblocks\": 2", error.Message);
    }

    [Theory]
    [InlineData("n_fcblocks", 0, "n_fcblocks: expected a number of fully connected blocks, at least 1; got 0.")]
    [InlineData("network_normalization", "batchnorm", "network_normalization: expected BatchNorm, InstanceNorm or none (null in JSON, \"None\" in TOML), as ClinicaDL spells them; got 'batchnorm'.")]
    [InlineData("convolutions_dict", "conv0", "convolutions_dict: expected a table of convolution blocks")]
    public void A_wrong_value_is_refused_naming_the_key(string key, object value, string message)
    {
        var values = new Dictionary<string, object?>
        {
            ["architecture"] = "RandomArchitecture", ["caps_directory"] = "caps", ["tsv_path"] = "split",
            ["convolutions_dict"] = RandomArchitectureTests.Blocks("stride", (8, 1)), ["n_fcblocks"] = 2,
        };
        values[key] = value;

        var error = Assert.Throws<ArgumentException>(TrainingConfig.Build(null, values).Validate);

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void RandomArchitecture_is_not_a_reconstruction_network()
    {
        var config = TrainingConfig.Build(null, new Dictionary<string, object?>
        {
            ["architecture"] = "RandomArchitecture", ["network_task"] = "reconstruction", ["caps_directory"] = "caps", ["tsv_path"] = "split",
            ["convolutions_dict"] = RandomArchitectureTests.Blocks("stride", (8, 1)), ["n_fcblocks"] = 2,
        });

        Assert.Contains("RandomArchitecture is not a reconstruction network", Assert.Throws<ArgumentException>(config.Validate).Message);
    }

    [Fact]
    public void Its_keys_given_to_another_network_are_named_as_without_effect()
    {
        var notes = new List<string>();
        var config = TrainingConfig.Build(null, new Dictionary<string, object?>
        {
            ["architecture"] = "Conv4_FC3", ["caps_directory"] = "caps", ["tsv_path"] = "split",
            ["convolutions_dict"] = RandomArchitectureTests.Blocks("stride", (8, 1)), ["n_fcblocks"] = 2,
        }, notes);

        config.Validate();
        var note = Assert.Single(notes);
        Assert.Contains("convolutions_dict, n_fcblocks (read only by RandomArchitecture, not by Conv4_FC3)", note);
        Assert.Null(config.NetworkSettings.ConvolutionBlocks);
    }
}
