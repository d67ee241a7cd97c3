using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.Generation;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;
using ClinicaDL.Core.Workflows;

namespace ClinicaDL.Core.Tests.Workflows;

/// <summary>
/// Issue 17, item 8: the maps.json of a MAPS trained here is read by ClinicaDL 1.6.1. ClinicaDL's path_decoder turns
/// a null path (our "transfer_path": null) into Path(None) and its predict fails; its MapsManager reads every
/// train_config.toml key as an attribute. So every key ClinicaDL writes is written here, with a value of the type
/// ClinicaDL writes, and this module reads its own file back to the same configuration.
/// </summary>
public sealed class MapsJsonCompatibilityTests : IDisposable
{
    private static readonly string[] PathEndings = ["tsv", "dir", "directory", "path", "json", "location"];
    private readonly string _root = Directory.CreateTempSubdirectory("clinicadl-mapsjson-").FullName;

    public MapsJsonCompatibilityTests() => TorchNatives.EnsureLoaded();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [SkippableFact]
    public void A_trained_maps_json_has_every_key_clinicadl_writes_with_the_type_it_writes()
    {
        var clinicadl = JsonNode.Parse(File.ReadAllText(TestData.Path("clinicadl-maps", "maps", "maps.json")))!.AsObject();
        var (ours, config) = TrainTinyMaps();

        var differences = Compare(clinicadl, ours, "").ToList();

        Assert.Empty(differences);
        Assert.False(ours["transfer_path"]!.GetValue<bool>());
        Assert.False(ours["data_augmentation"]!.GetValue<bool>());
        Assert.Equal("*space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz", ours["preprocessing_dict"]!["file_type"]!["pattern"]!.GetValue<string>());
        // Read back here: the same settings as trained.
        var reread = MapsFolder.Open(Path.Combine(_root, "maps")).Configuration;
        Assert.Null(reread.TransferPath);
        Assert.Empty(reread.DataAugmentation);
        Assert.Equal(config.LabelCode, reread.LabelCode);
        Assert.Equal("t1-linear", reread.ImageQuery().Preprocessing);
        Assert.Null(reread.Decomposition());
    }

    /// <summary>The class: no key ClinicaDL treats as a path (by its name's end) holds null, at the top or in preprocessing_dict.</summary>
    [Fact]
    public void No_path_key_of_a_trained_maps_json_holds_null()
    {
        var (ours, _) = TrainTinyMaps();
        var nulls = ours.Concat(ours["preprocessing_dict"]!.AsObject())
            .Where(p => p.Value is null && PathEndings.Any(e => p.Key.EndsWith(e, StringComparison.Ordinal)))
            .Select(p => p.Key).ToList();
        Assert.Empty(nulls);
    }

    /// <summary>Each key of ClinicaDL's file, nested objects key by key: missing, or of another JSON type.</summary>
    private static IEnumerable<string> Compare(JsonObject clinicadl, JsonObject ours, string prefix)
    {
        foreach (var (key, theirs) in clinicadl)
        {
            if (!ours.TryGetPropertyValue(key, out var mine))
            {
                yield return $"{prefix}{key}: missing";
                continue;
            }
            if (Kind(theirs) != Kind(mine))
            {
                yield return $"{prefix}{key}: {Kind(mine)} here, {Kind(theirs)} in ClinicaDL's";
                continue;
            }
            if (theirs is JsonObject inner && mine is JsonObject mineInner && key != "label_code")
            {
                foreach (var difference in Compare(inner, mineInner, prefix + key + "."))
                {
                    yield return difference;
                }
            }
        }
    }

    private static string Kind(JsonNode? node) => node?.GetValueKind() switch
    {
        null => "null",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        var kind => kind.ToString()!.ToLowerInvariant(),
    };

    private (JsonObject Json, TrainingConfig Config) TrainTinyMaps()
    {
        var (caps, split) = TinyStudy.Create(_root, participants: 6, seed: 4);
        var config = TrainingConfig.Build(null, new Dictionary<string, object?>
        {
            ["caps_directory"] = caps, ["tsv_path"] = split, ["epochs"] = 1, ["batch_size"] = 2,
            ["bootstrap_resamples"] = 0, ["selection_metrics"] = new[] { "loss", "BA" },
        });
        var results = Trainer.Train(config, Path.Combine(_root, "maps"), overwrite: false, "test", null);
        Assert.Equal(TrainingStatus.Completed, Assert.Single(results).Status);
        return (JsonNode.Parse(File.ReadAllText(Path.Combine(_root, "maps", "maps.json")))!.AsObject(), config);
    }
}
