using System.Text.Json.Nodes;
using ClinicaDL.Core.Extraction;
using ClinicaDL.Core.Generation;

namespace ClinicaDL.Core.Tests.Extraction;

/// <summary>
/// Issue 17, item 8: an extraction JSON is compared by what it means, not by its bytes, so the one ClinicaDL's
/// prepare-data writes for the same settings is the same extraction (key order, file_type descriptions, 50 against
/// 50.0, null against absent, keys of another mode), and one that differs names the keys that differ.
/// </summary>
public sealed class ExtractionMeaningTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("clinicadl-extraction-meaning-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static ExtractionOptions Read(string json) => ExtractionOptions.FromJson(JsonNode.Parse(json)!.AsObject(), "caps", "test.json");

    /// <summary>The class: each way two JSONs can differ in form only gives the same meaning.</summary>
    [Theory]
    [InlineData("""{"mode": "patch", "preprocessing": "t1-linear", "patch_size": 50, "stride_size": 50}""", """{"stride_size": 50.0, "patch_size": 50.0, "preprocessing": "t1-linear", "mode": "patch"}""")]
    [InlineData("""{"mode": "image", "preprocessing": "t1-linear", "use_uncropped_image": false, "prepare_dl": false}""", """{"mode": "image", "preprocessing": "t1-linear", "use_uncropped_image": null, "prepare_dl": null, "extract_json": "other.json"}""")]
    [InlineData("""{"mode": "image", "preprocessing": "t1-linear", "file_type": {"pattern": "t1_linear/*_T1w.nii.gz", "description": "t1-linear images"}, "tensor_format": "x"}""", """{"mode": "image", "preprocessing": "t1-linear", "file_type": {"pattern": "*space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz", "description": "T1w Image registered", "needed_pipeline": "t1-linear"}}""")]
    [InlineData("""{"mode": "image", "preprocessing": "t1-linear", "patch_size": 20, "roi_list": ["a"]}""", """{"mode": "image", "preprocessing": "t1-linear", "slice_direction": 2}""")]
    [InlineData("""{"mode": "slice", "preprocessing": "t1-linear", "discarded_slices": [20, 20]}""", """{"mode": "slice", "preprocessing": "t1-linear", "discarded_slices": 20.0}""")]
    [InlineData("""{"mode": "roi", "preprocessing": "t1-linear", "roi_list": ["a"], "roi_custom_template": "", "masks_location": null}""", """{"mode": "roi", "preprocessing": "t1-linear", "roi_list": ["a"], "masks_location": "/elsewhere/masks", "roi_template": "MNI152NLin2009cSym"}""")]
    public void Two_jsons_differing_in_form_only_are_the_same_extraction(string mine, string theirs) =>
        Assert.Empty(Read(mine).DifferencesFrom(Read(theirs)));

    [Theory]
    [InlineData("""{"mode": "patch", "patch_size": 50}""", """{"mode": "patch", "patch_size": 40}""", "patch_size: 50 here, 40 there")]
    [InlineData("""{"mode": "image"}""", """{"mode": "patch"}""", "mode: image here, patch there")]
    [InlineData("""{"mode": "image", "use_uncropped_image": true}""", """{"mode": "image"}""", "use_uncropped_image: true here, false there")]
    [InlineData("""{"mode": "slice", "discarded_slices": [0, 0]}""", """{"mode": "slice", "discarded_slices": [20, 20]}""", "discarded_slices: [0, 0] here, [20, 20] there")]
    public void Two_jsons_differing_in_substance_name_the_keys(string mine, string theirs, string difference) =>
        Assert.Contains(difference, Read(mine).DifferencesFrom(Read(theirs)));

    /// <summary>
    /// ClinicaDL 1.6.1's own prepare-data image JSON, with its CAPS and .pt tensors beside: the same extraction as
    /// Export-ClinicaDLTensor's image mode, which extracts beside ClinicaDL's files and keeps ClinicaDL's JSON as it is.
    /// </summary>
    [SkippableFact]
    public void The_extraction_json_clinicadl_wrote_is_the_same_extraction_and_is_kept()
    {
        var source = TestData.Path("clinicadl-maps", "caps");
        var caps = Path.Combine(_root, "caps");
        Copy(source, caps);
        var jsonPath = Path.Combine(caps, "tensor_extraction", "extract_image.json");
        var before = File.ReadAllBytes(jsonPath);
        var clinicadl = ExtractionOptions.FromJson(JsonNode.Parse(before)!.AsObject(), caps, jsonPath);

        Assert.Empty(new ExtractionOptions { CapsPath = caps, Mode = ExtractionMode.Image }.DifferencesFrom(clinicadl));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(before)!["file_type"], ClinicaDL.Core.Datasets.CapsDataset.ClinicaFileType(clinicadl.Query())), "the file_type written here is ClinicaDL's");
        var results = TensorExtractor.Run(new ExtractionOptions { CapsPath = caps, Mode = ExtractionMode.Image, ExtractJson = "extract_image.json", Threads = 1 });

        Assert.Equal(16, results.Count);
        Assert.Equal(before, File.ReadAllBytes(jsonPath));
        var ours = Directory.GetFiles(Path.Combine(caps, "subjects"), "*" + TensorExtractor.Extension, SearchOption.AllDirectories);
        var theirs = Directory.GetFiles(Path.Combine(caps, "subjects"), "*.pt", SearchOption.AllDirectories);
        Assert.Equal(16, ours.Length);
        Assert.Equal(16, theirs.Length);
        Assert.Equal(theirs.Select(Path.GetDirectoryName).Order(), ours.Select(Path.GetDirectoryName).Order());
    }

    [Fact]
    public void A_second_extraction_under_the_same_name_with_other_settings_names_what_differs()
    {
        var caps = Path.Combine(_root, "caps");
        SyntheticDatasetGenerator.Generate(new SyntheticOptions { OutputPath = _root, ParticipantCount = 2, SessionCount = 1, VoxelSize = 3, Seed = 4 }, overwrite: true);
        TensorExtractor.Run(new ExtractionOptions { CapsPath = caps, Mode = ExtractionMode.Patch, PatchSize = 20, StrideSize = 20, ExtractJson = "mine" });

        var error = Assert.Throws<ArgumentException>(() => TensorExtractor.Run(new ExtractionOptions { CapsPath = caps, Mode = ExtractionMode.Patch, PatchSize = 25, StrideSize = 20, ExtractJson = "mine" }));

        Assert.Contains("other parameters (patch_size: 25 here, 20 there)", error.Message);
    }

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
