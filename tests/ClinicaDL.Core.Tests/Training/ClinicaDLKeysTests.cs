using System.Text.Json.Nodes;
using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Tests.Training;

/// <summary>
/// Issue 17, items 8 and 9: every key of ClinicaDL 1.6's train configuration is honoured, or refused at a value that
/// would change training, never dropped; keys that change nothing here are named in one note line, not one each.
/// </summary>
public sealed class ClinicaDLKeysTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-keys-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>ClinicaDL's own maps.json as -ConfigPath: its 17 keys without a setting here make one note line.</summary>
    [SkippableFact]
    public void Clinicadls_maps_json_as_a_configuration_gives_one_note_naming_the_keys_that_do_not_apply()
    {
        var notes = new List<string>();

        var config = TrainingConfig.Build(TestData.Path("clinicadl-maps", "maps", "maps.json"), new Dictionary<string, object?>(), notes);

        var note = Assert.Single(notes);
        string[] keys = ["normalization", "fully_sharded_data_parallel", "use_extracted_features", "validation", "num_networks", "output_size", "input_size"];
        Assert.All(keys, key => Assert.Contains(key, note));
        // Domain adaptation's keys are settings now, at ClinicaDL's "no SSDA" values.
        Assert.DoesNotContain("ssda_network", note);
        Assert.False(config.SsdaNetwork);
        Assert.Equal("", config.CapsTarget);
        Assert.StartsWith("Configuration keys without effect here, ignored: ", note);
        config.Validate();
        Assert.Equal(["loss", "BA"], config.SelectionMetrics);
        Assert.Null(config.TransferPath);
        Assert.Empty(config.DataAugmentation);
        Assert.Equal(1e-3, config.LearningRate);
        // The VAE keys are settings now, read from the file and not named in the note.
        Assert.Equal(1024, config.FeatureSize);
        Assert.Equal(1.0, config.KlWeight);
        Assert.DoesNotContain("feature_size", note);
    }

    /// <summary>
    /// The class: every key ClinicaDL 1.6.1 writes into maps.json is a setting here or a known ClinicaDL-only key.
    /// A key ClinicaDL adds is caught here instead of being dropped with a note.
    /// </summary>
    [SkippableFact]
    public void Every_key_of_clinicadls_maps_json_is_honoured_or_known()
    {
        var json = JsonNode.Parse(File.ReadAllText(TestData.Path("clinicadl-maps", "maps", "maps.json")))!.AsObject();
        var settings = JsonNode.Parse(new TrainingConfig().ToJson())!.AsObject().Select(p => p.Key).ToHashSet();

        var strangers = json.Select(p => p.Key).Where(k => !settings.Contains(k) && !ClinicaDLOnlyKeys.Contains(k)).ToList();

        Assert.Empty(strangers);
    }

    /// <summary>A key that would change training at its value is refused by name, in a TOML or a JSON.</summary>
    [Theory]
    [InlineData("fully_sharded_data_parallel", "true")]
    public void A_clinicadl_key_at_a_value_that_changes_training_is_refused(string key, string value)
    {
        foreach (var (file, text) in new[] { ("config.toml", $"[Data]\n{key} = {value}\n"), ("config.json", $"{{\"{key}\": {value}}}") })
        {
            var path = Path.Combine(_folder, file);
            File.WriteAllText(path, text);
            var notes = new List<string>();
            var config = TrainingConfig.Build(path, new Dictionary<string, object?> { ["caps_directory"] = "caps", ["tsv_path"] = "split" }, notes);

            var error = Assert.Throws<ArgumentException>(config.Validate);
            Assert.Empty(notes);

            Assert.Contains($"got {value}; {key} = ", error.Message);
            Assert.Contains("cannot be honoured", error.Message);
        }
    }

    /// <summary>
    /// Domain adaptation's target keys, read from a TOML or a JSON, are refused by name without ssda_network, and
    /// ssda_network without its network; at ClinicaDL's "no SSDA" values ("", or false, which its path_decoder reads
    /// alike) they are accepted without a note.
    /// </summary>
    [Theory]
    [InlineData("ssda_network", "true", "ssda_network = true trains Conv5_FC3_SSDA only")]
    [InlineData("caps_target", "\"/data/target/caps\"", "caps_target describe the target data of semi-supervised domain adaptation, which needs ssda_network = true")]
    [InlineData("tsv_target_lab", "\"/data/target/labelled\"", "tsv_target_lab describe the target data")]
    [InlineData("tsv_target_unlab", "\"/data/target/unlabelled\"", "tsv_target_unlab describe the target data")]
    [InlineData("preprocessing_dict_target", "\"extract_target.json\"", "preprocessing_dict_target describe the target data")]
    [InlineData("caps_target", "\"\"", null)]
    [InlineData("tsv_target_lab", "false", null)]
    [InlineData("ssda_network", "false", null)]
    public void Domain_adaptation_keys_are_settings_refused_out_of_place(string key, string value, string? message)
    {
        foreach (var (file, text) in new[] { ("config.toml", $"[Data]\n{key} = {value}\n"), ("config.json", $"{{\"{key}\": {value}}}") })
        {
            var path = Path.Combine(_folder, file);
            File.WriteAllText(path, text);
            var notes = new List<string>();
            var config = TrainingConfig.Build(path, new Dictionary<string, object?> { ["caps_directory"] = "caps", ["tsv_path"] = "split" }, notes);

            Assert.Empty(notes);
            if (message is null)
            {
                config.Validate();
            }
            else
            {
                Assert.Contains(message, Assert.Throws<ArgumentException>(config.Validate).Message);
            }
        }
    }

    /// <summary>At ClinicaDL's default (or the "no path" forms ClinicaDL reads alike) the same keys are accepted.</summary>
    [Theory]
    [InlineData("fully_sharded_data_parallel", "false")]
    [InlineData("wd_bool", "false")]
    [InlineData("network_normalization", "\"InstanceNorm\"")]
    [InlineData("channels_limit", "512")]
    public void A_clinicadl_key_that_changes_nothing_is_accepted_and_noted(string key, string value)
    {
        var path = Path.Combine(_folder, "config.json");
        File.WriteAllText(path, $"{{\"{key}\": {value}}}");
        var notes = new List<string>();

        var config = TrainingConfig.Build(path, new Dictionary<string, object?> { ["caps_directory"] = "caps", ["tsv_path"] = "split" }, notes);

        config.Validate();
        Assert.Contains(key, Assert.Single(notes));
    }

    [Fact]
    public void An_unknown_key_is_named_in_the_same_single_note()
    {
        var path = Path.Combine(_folder, "config.json");
        File.WriteAllText(path, """{"learing_rate": 0.1, "fully_sharded_data_parallel": false, "epochs": 3}""");
        var notes = new List<string>();

        var config = TrainingConfig.Build(path, new Dictionary<string, object?>(), notes);

        Assert.Equal(3, config.Epochs);
        var note = Assert.Single(notes);
        Assert.Contains("learing_rate (not keys of ClinicaDL 1.6's train)", note);
        Assert.Contains("fully_sharded_data_parallel (at ClinicaDL's default, which changes nothing)", note);
    }

    /// <summary>The nulls ClinicaDL writes for a task without label codes or threshold read as the defaults.</summary>
    [Fact]
    public void Nulls_clinicadl_writes_read_as_defaults()
    {
        var path = Path.Combine(_folder, "maps.json");
        File.WriteAllText(path, """{"network_task": "regression", "label_code": null, "selection_threshold": null, "label": null, "transfer_path": "", "data_augmentation": false}""");

        var config = TrainingConfig.Build(path, new Dictionary<string, object?>());

        Assert.Empty(config.LabelCode);
        Assert.Equal(0, config.SelectionThreshold);
        Assert.Equal("age", config.ResolvedLabel);
        Assert.Null(config.TransferPath);
    }

    /// <summary>
    /// The class, from ClinicaDL's side: ClinicaDL 1.6.1's own clinicadl/resources/config/train_config.toml, verbatim.
    /// Every key is a setting here or a known ClinicaDL-only key, and the only note names the ClinicaDL-only ones.
    /// </summary>
    [Fact]
    public void Clinicadls_own_train_config_toml_is_read_with_every_key_honoured_or_known()
    {
        var toml = Path.Combine(_folder, "train_config.toml");
        File.WriteAllText(toml, """
            # CONFIG FILE FOR TRAIN PIPELINE WITH DEFAULT ARGUMENTS


            [Model]
            architecture = "default" # ex : Conv5_FC3
            multi_network = false
            ssda_network = false

            [Architecture]
            # CNN
            dropout = 0.0 # between 0 and 1
            # architecture.n_layers = 4
            # VAE
            latent_space_size = 128
            feature_size = 1024
            n_conv = 4
            io_layer_channels = 8
            recons_weight = 1
            kl_weight = 1
            normalization = "batch"

            [Classification]
            selection_metrics = ["loss"]
            label = "diagnosis"
            label_code = {}
            selection_threshold = 0.0 # Will only be used if num_networks != 1
            loss = "CrossEntropyLoss"

            [Regression]
            selection_metrics = ["loss"]
            label = "age"
            loss = "MSELoss"

            [Reconstruction]
            selection_metrics = ["loss"]
            loss = "MSELoss"

            [Computational]
            gpu = true
            n_proc = 2
            batch_size = 8
            evaluation_steps = 0
            fully_sharded_data_parallel = false
            amp = false

            [Reproducibility]
            seed = 0
            deterministic = false
            compensation = "memory" # Only used if deterministic = true
            track_exp = ""

            [Transfer_learning]
            transfer_path = false
            transfer_selection_metric = "loss"
            nb_unfrozen_layer = 0

            [Mode]
            # require to manually generate preprocessing json
            use_extracted_features = false

            [Data]
            multi_cohort = false
            diagnoses = ["AD", "CN"]
            baseline = false
            valid_longitudinal = false
            normalize = true
            data_augmentation = false
            sampler = "random"
            size_reduction=false
            size_reduction_factor=2
            caps_target = ""
            tsv_target_lab = ""
            tsv_target_unlab = ""
            preprocessing_dict_target = ""

            [Cross_validation]
            n_splits = 0
            split = []

            [Optimization]
            optimizer = "Adam"
            epochs = 20
            learning_rate = 1e-4
            adaptive_learning_rate = false
            weight_decay = 1e-4
            patience = 0
            tolerance = 0.0
            accumulation_steps = 1
            profiler = false
            save_all_models = false

            [Informations]
            emissions_calculator = false
            """);
        var notes = new List<string>();

        var config = TrainingConfig.Build(toml, new Dictionary<string, object?>(), notes);

        var note = Assert.Single(notes);
        Assert.DoesNotContain("not keys of ClinicaDL", note);
        string[] clinicaOnly = ["normalization", "fully_sharded_data_parallel", "use_extracted_features"];
        Assert.All(clinicaOnly, key => Assert.Contains(key, note));
        Assert.DoesNotContain("caps_target", note);
        Assert.Equal(20, config.Epochs);
        Assert.Equal("cuda", config.Device);
        Assert.Null(config.TransferPath);
        // Only the task's own section: [Regression]'s label and loss, after [Classification]'s, do not win.
        Assert.Equal("diagnosis", config.ResolvedLabel);
        Assert.Equal("CrossEntropyLoss", config.ResolvedLoss);
        var regression = TrainingConfig.Build(toml, new Dictionary<string, object?> { ["network_task"] = "regression" });
        Assert.Equal("age", regression.ResolvedLabel);
        Assert.Equal("MSELoss", regression.ResolvedLoss);
        Assert.Empty(regression.LabelCode);
    }
}
