using System.Text.Json.Nodes;
using ClinicaDL.Core.Extraction;
using ClinicaDL.Core.Generation;
using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Core.Tests.Extraction;

/// <summary>Extraction from a 3 mm synthetic CAPS (57x70x60 images, hippocampus box masks).</summary>
public sealed class TensorExtractorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("extraction").FullName;
    private readonly string _caps;

    public TensorExtractorTests()
    {
        SyntheticDatasetGenerator.Generate(new SyntheticOptions { OutputPath = _root, ParticipantCount = 2, SessionCount = 1, VoxelSize = 3, Seed = 4 }, overwrite: true);
        _caps = Path.Combine(_root, "caps");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string FirstImage => Directory.EnumerateFiles(Path.Combine(_caps, "subjects"), "*_T1w.nii.gz", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();

    private float[] Source(out int[] shape)
    {
        var values = NiftiReader.ReadSingle(FirstImage, out var header);
        shape = header.Shape.Select(s => (int)s).ToArray();
        return values;
    }

    [Fact]
    public void WritesEachImageAsAChannelFirstTensorWithClinicaDLsPathAndJson()
    {
        var results = TensorExtractor.Run(new ExtractionOptions { CapsPath = _caps, Mode = ExtractionMode.Image });
        Assert.Equal(2, results.Count);
        var first = results.OrderBy(r => r.ParticipantId, StringComparer.Ordinal).First();
        Assert.Contains(Path.Combine("ses-M000", "deeplearning_prepare_data", "image_based", "t1_linear"), first.TensorPath);
        Assert.EndsWith("_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.tensor", first.TensorPath);
        var (shape, values) = TensorFile.Read(first.TensorPath);
        Assert.Equal(new long[] { 1, 57, 70, 60 }, shape);
        var source = Source(out var dims);
        // Voxel (x, y, z) = (10, 20, 30): x fastest in NIfTI, z fastest in the tensor.
        Assert.Equal(source[10 + dims[0] * (20 + dims[1] * 30)], values[(10 * 70 + 20) * 60 + 30]);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_caps, "tensor_extraction", "extract_image.json")))!;
        Assert.Equal("t1-linear", json["preprocessing"]!.GetValue<string>());
        Assert.Equal("image", json["mode"]!.GetValue<string>());
        Assert.False(json["use_uncropped_image"]!.GetValue<bool>());
        Assert.False(json["prepare_dl"]!.GetValue<bool>());
        // ClinicaDL's file_type, word for word (its prepare-data JSON in ../shared/testdata/clinicadl-maps has the same).
        Assert.Equal("*space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz", json["file_type"]!["pattern"]!.GetValue<string>());
        Assert.Equal("T1w Image registered in MNI152NLin2009cSym space using t1-linear pipeline and cropped (matrix size 169\u00d7208\u00d7179, 1 mm isotropic voxels)",
            json["file_type"]!["description"]!.GetValue<string>());
        Assert.Equal("t1-linear", json["file_type"]!["needed_pipeline"]!.GetValue<string>());
    }

    [Fact]
    public void SkipsWhatWasExtractedFromTheSameSourceWithTheSameParametersUnlessForced()
    {
        var options = new ExtractionOptions { CapsPath = _caps, Mode = ExtractionMode.Image };
        var first = TensorExtractor.Run(options);
        var written = File.GetLastWriteTimeUtc(first[0].TensorPath);
        Assert.All(TensorExtractor.Run(options), r => Assert.True(r.Skipped));
        Assert.Equal(written, File.GetLastWriteTimeUtc(first[0].TensorPath));
        Assert.All(TensorExtractor.Run(options with { Overwrite = true }), r => Assert.False(r.Skipped));
    }

    [Fact]
    public void WritesPatchesInClinicaDLsOrderWithTheirValues()
    {
        var results = TensorExtractor.Run(new ExtractionOptions { CapsPath = _caps, Mode = ExtractionMode.Patch, PatchSize = 20, StrideSize = 15, SaveFeatures = true });
        // floor((57-20)/15)+1 = 3, floor((70-20)/15)+1 = 4, floor((60-20)/15)+1 = 3.
        Assert.All(results, r => Assert.Equal(36, r.Parts));
        Assert.All(results, r => Assert.Equal(36, r.PartFiles));
        var folder = Path.Combine(Path.GetDirectoryName(FirstImage)!, "..", "deeplearning_prepare_data", "patch_based", "t1_linear");
        var patch = Directory.EnumerateFiles(folder, "*_patchsize-20_stride-15_patch-5_T1w.tensor").Single();
        var (shape, values) = TensorFile.Read(patch);
        Assert.Equal(new long[] { 1, 20, 20, 20 }, shape);
        // Patch 5 of a 3x4x3 grid: (0, 1, 2) -> corner (0, 15, 30); its voxel (1, 2, 3) is image voxel (1, 17, 33).
        var source = Source(out var dims);
        Assert.Equal(source[1 + dims[0] * (17 + dims[1] * 33)], values[(1 * 20 + 2) * 20 + 3]);
        Assert.Equal(20, JsonNode.Parse(File.ReadAllText(Path.Combine(_caps, "tensor_extraction", "extract_patch.json")))!["patch_size"]!.GetValue<int>());
    }

    [Fact]
    public void WritesRgbSlicesAlongTheChosenAxis()
    {
        var results = TensorExtractor.Run(new ExtractionOptions { CapsPath = _caps, Mode = ExtractionMode.Slice, SliceDirection = 2, DiscardedSlicesStart = 5, DiscardedSlicesEnd = 10, SaveFeatures = true });
        Assert.All(results, r => Assert.Equal(60 - 15, r.Parts));
        var folder = Path.Combine(Path.GetDirectoryName(FirstImage)!, "..", "deeplearning_prepare_data", "slice_based", "t1_linear");
        Assert.Empty(Directory.EnumerateFiles(folder, "*_slice-4_T1w.tensor"));
        var slice = Directory.EnumerateFiles(folder, "*_axis-axi_channel-rgb_slice-30_T1w.tensor").Single();
        var (shape, values) = TensorFile.Read(slice);
        Assert.Equal(new long[] { 3, 57, 70 }, shape);
        var source = Source(out var dims);
        var expected = source[12 + dims[0] * (40 + dims[1] * 30)];
        Assert.Equal(expected, values[12 * 70 + 40]);
        Assert.Equal(expected, values[2 * 57 * 70 + 12 * 70 + 40]);
    }

    [Fact]
    public void CropsRegionsToTheirMasksBoundingBox()
    {
        var results = TensorExtractor.Run(new ExtractionOptions { CapsPath = _caps, Mode = ExtractionMode.Roi, RoiList = ["leftHippocampusBox", "rightHippocampusBox"], SaveFeatures = true });
        Assert.All(results, r => Assert.Equal(2, r.Parts));
        var mask = RoiMask.Find(_caps, "MNI152NLin2009cSym", "res-1x1x1", "leftHippocampusBox", croppedImage: true);
        var folder = Path.Combine(Path.GetDirectoryName(FirstImage)!, "..", "deeplearning_prepare_data", "roi_based", "t1_linear");
        var region = Directory.EnumerateFiles(folder, "*_desc-CropRoi_res-1x1x1_roi-leftHippocampusBox_T1w.tensor").Single();
        var (shape, values) = TensorFile.Read(region);
        Assert.Equal(new long[] { 1, mask.High[0] - mask.Low[0] + 1, mask.High[1] - mask.Low[1] + 1, mask.High[2] - mask.Low[2] + 1 }, shape);
        var source = Source(out var dims);
        Assert.Equal(source[mask.Low[0] + dims[0] * (mask.Low[1] + dims[1] * mask.Low[2])], values[0]);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_caps, "tensor_extraction", "extract_roi.json")))!;
        Assert.Equal(2, json["roi_list"]!.AsArray().Count);
        Assert.False(json["uncropped_roi"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData(ExtractionMode.Patch, "does not fit in an image of 57x70x60")]
    [InlineData(ExtractionMode.Slice, "got 3")]
    [InlineData(ExtractionMode.Roi, "has no region 'amygdala' (it has: leftHippocampusBox, rightHippocampusBox)")]
    public void RefusesBadParametersBeforeWritingAnything(ExtractionMode mode, string message)
    {
        var options = new ExtractionOptions { CapsPath = _caps, Mode = mode, PatchSize = 60, SliceDirection = 3, RoiList = ["amygdala"], SaveFeatures = true };
        // ThrowsAny: an unknown region is the NotFoundException kind of ArgumentException.
        Assert.Contains(message, Assert.ThrowsAny<ArgumentException>(() => TensorExtractor.Run(options)).Message);
        Assert.Empty(Directory.EnumerateDirectories(_caps, "deeplearning_prepare_data", SearchOption.AllDirectories));
        Assert.False(Directory.Exists(Path.Combine(_caps, "tensor_extraction")));
    }

    [Fact]
    public void RefusesAMaskOnAnotherGrid()
    {
        var folder = Path.Combine(_caps, "masks", "tpl-MNI152NLin2009cSym");
        NiftiWriter.Write(Path.Combine(folder, "tpl-MNI152NLin2009cSym_desc-Crop_res-1x1x1_roi-small_mask.nii.gz"), [10, 10, 10], Enumerable.Repeat(1f, 1000).ToArray(), AffineMatrix.Identity);
        var error = Assert.Throws<ArgumentException>(() => TensorExtractor.Run(new ExtractionOptions { CapsPath = _caps, Mode = ExtractionMode.Roi, RoiList = ["small"] }));
        Assert.Contains("is 10x10x10; the images are 57x70x60", error.Message);
    }

    [Fact]
    public void RefusesToReuseAJsonNameForOtherParameters()
    {
        TensorExtractor.Run(new ExtractionOptions { CapsPath = _caps, Mode = ExtractionMode.Patch, PatchSize = 20, StrideSize = 20, ExtractJson = "mine" });
        var error = Assert.Throws<ArgumentException>(() => TensorExtractor.Run(new ExtractionOptions { CapsPath = _caps, Mode = ExtractionMode.Patch, PatchSize = 25, StrideSize = 20, ExtractJson = "mine" }));
        Assert.Contains("mine.json' already describes an extraction with other parameters", error.Message);
    }

    [Theory]
    [InlineData(ExtractionMode.Patch)]
    [InlineData(ExtractionMode.Slice)]
    [InlineData(ExtractionMode.Roi)]
    public void ItsJsonGivesBackTheOptionsItWasMadeWith(ExtractionMode mode)
    {
        var options = new ExtractionOptions
        {
            CapsPath = _caps, Mode = mode, PatchSize = 20, StrideSize = 15, SliceDirection = 2, SliceMode = "single", DiscardedSlicesStart = 3, DiscardedSlicesEnd = 5,
            RoiList = ["leftHippocampusBox", "rightHippocampusBox"], ExtractJson = "again",
        };
        TensorExtractor.Run(options);
        var read = ExtractionOptions.FromJson(ExtractionOptions.ReadJson(_caps, "again"), _caps, "again.json");
        Assert.Equal(mode, read.Mode);
        Assert.Equal("t1-linear", read.Preprocessing);
        Assert.Equal("again.json", read.ExtractJson);
        Assert.Equal(mode == ExtractionMode.Patch ? (20, 15) : (50, 50), (read.PatchSize, read.StrideSize));
        Assert.Equal(mode == ExtractionMode.Slice ? (2, "single", 3, 5) : (0, "rgb", 0, 0), (read.SliceDirection, read.SliceMode, read.DiscardedSlicesStart, read.DiscardedSlicesEnd));
        Assert.Equal(mode == ExtractionMode.Roi ? ["leftHippocampusBox", "rightHippocampusBox"] : [], read.RoiList);
    }

    [Fact]
    public void AMissingOrMistypedJsonIsNamed()
    {
        TensorExtractor.Run(new ExtractionOptions { CapsPath = _caps, Mode = ExtractionMode.Image, ExtractJson = "present" });
        var missing = Assert.Throws<ArgumentException>(() => ExtractionOptions.ReadJson(_caps, "absent"));
        Assert.Contains("absent.json' does not exist; this CAPS has present.json", missing.Message);
        var json = ExtractionOptions.ReadJson(_caps, "present");
        json["mode"] = "patch";
        json["patch_size"] = "big";
        var mistyped = Assert.Throws<ArgumentException>(() => ExtractionOptions.FromJson(json, _caps, "present.json"));
        Assert.Contains("'present.json': the key 'patch_size' should hold a whole number; it holds \"big\"", mistyped.Message);
    }
}
