using System.Text.Json.Nodes;
using ClinicaDL.Core.Export;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Selection;
using ClinicaDL.Core.Training;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Export;

/// <summary>
/// A MAPS' kept model to an ONNX file: a MAPS written here (maps.json with input_size and label_code, two splits
/// whose best-loss models hold different weights), the file run by ONNX Runtime against the model loaded from
/// the MAPS, and the choices the MAPS leaves to the caller refused rather than guessed.
/// </summary>
public sealed class ModelExporterTests : IDisposable
{
    private static readonly long[] SampleShape = [1, 12, 14, 10];

    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-export-").FullName;
    private readonly string _maps;

    public ModelExporterTests()
    {
        TorchNatives.EnsureLoaded();
        _maps = Path.Combine(_folder, "maps");
        var config = TrainingConfig.Build(null, new Dictionary<string, object?> { ["architecture"] = "Conv4_FC3", ["selection_metrics"] = new[] { "loss", "BA" } });
        config.LabelCode = new() { ["CN"] = 0, ["AD"] = 1 };
        var description = JsonNode.Parse(config.ToJson())!.AsObject();
        description["input_size"] = new JsonArray([.. SampleShape.Select(s => JsonValue.Create(s))]);
        description["split"] = new JsonArray(0, 1);
        Directory.CreateDirectory(_maps);
        File.WriteAllText(Path.Combine(_maps, "maps.json"), description.ToJsonString());
        foreach (var split in new[] { 0, 1 })
        {
            manual_seed(split + 10);
            using var network = config.NewNetwork(SampleShape);
            ModelFile.Save(network, new SplitLayout(_maps, split).BestModel("loss"));
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_file_computes_the_kept_models_outputs_and_names_its_labels()
    {
        var path = Path.Combine(_folder, "out", "split-1.onnx");

        var exported = ModelExporter.Export(new ModelExportOptions { MapsPath = _maps, OutputPath = path, Split = 1 });

        Assert.Equal(path, exported.Path);
        Assert.Equal(("Conv4_FC3", 1, "loss", "Onnx", 17), (exported.Architecture, exported.Split, exported.SelectionMetric, exported.Format, exported.Opset));
        Assert.Equal(SampleShape, exported.InputShape);
        Assert.Equal([2L], exported.OutputShape);
        Assert.Equal(new FileInfo(path).Length, exported.Bytes);
        var config = MapsFolder.Open(_maps).Configuration;
        using var network = config.NewNetwork(SampleShape);
        network.load(new SplitLayout(_maps, 1).BestModel("loss"));
        network.eval();
        using var scope = NewDisposeScope();
        var input = randn([3, .. SampleShape]);
        float[] expected;
        using (no_grad())
        {
            expected = network.forward(input).data<float>().ToArray();
        }
        using var session = new InferenceSession(path);
        using var value = OrtValue.CreateTensorValueFromMemory(input.data<float>().ToArray(), [3, .. SampleShape]);
        using var options = new RunOptions();
        using var results = session.Run(options, ["input"], [value], ["output"]);
        var actual = results[0].GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        Assert.All(expected.Zip(actual), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-4f, $"{pair.First} against {pair.Second}"));
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("CN,AD", metadata["clinicadl_labels"]);
        Assert.Equal("1", metadata["clinicadl_split"]);
        Assert.Equal("1,12,14,10", metadata["clinicadl_input_size"]);
        // Split 0's model holds other weights: the split asked for is the one exported.
        var other = ModelExporter.Export(new ModelExportOptions { MapsPath = _maps, OutputPath = Path.Combine(_folder, "split-0.onnx"), Split = 0 });
        Assert.NotEqual(File.ReadAllBytes(path), File.ReadAllBytes(other.Path));
    }

    [Fact]
    public void The_PyTorch_format_is_ClinicaDL_s_model_file_of_the_kept_weights()
    {
        var path = Path.Combine(_folder, "out", "split-1.pth.tar");

        var exported = ModelExporter.Export(new ModelExportOptions { MapsPath = _maps, OutputPath = path, Split = 1, Format = ModelFormat.PyTorch });

        Assert.Equal("PyTorch", exported.Format);
        Assert.Null(exported.Opset);
        Assert.Equal([2L], exported.OutputShape);
        var content = ClinicaDL.Core.Imaging.PyTorchFile.ReadDictionary(path);
        Assert.Equal("Conv4_FC3", content["name"]);
        // No training log in this MAPS: the epoch is unknown.
        Assert.Equal(-1, Convert.ToInt32(content["epoch"], System.Globalization.CultureInfo.InvariantCulture));
        var config = MapsFolder.Open(_maps).Configuration;
        using var kept = config.NewNetwork(SampleShape);
        kept.load(new SplitLayout(_maps, 1).BestModel("loss"));
        var written = ModelFile.ReadClinicaDlStateDict(path);
        var expected = kept.state_dict();
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), written.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, tensor) in expected)
        {
            Assert.True(tensor.eq(written[name]).all().item<bool>(), $"{name} differs");
            written[name].Dispose();
        }
    }

    [Fact]
    public void A_network_whose_weights_do_not_exchange_with_ClinicaDL_is_refused_in_the_PyTorch_format()
    {
        var description = JsonNode.Parse(File.ReadAllText(Path.Combine(_maps, "maps.json")))!.AsObject();
        description["architecture"] = "AE_Conv5_FC3";
        description["network_task"] = "reconstruction";
        description["input_size"] = new JsonArray(1, 12, 14);
        File.WriteAllText(Path.Combine(_maps, "maps.json"), description.ToJsonString());
        var path = Path.Combine(_folder, "ae.pth.tar");
        var error = Assert.Throws<ModelExportException>(() => ModelExporter.Export(new ModelExportOptions { MapsPath = _maps, OutputPath = path, Split = 0, Format = ModelFormat.PyTorch }));
        Assert.Contains("BatchNorm before its transposed convolution", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_maps_with_several_splits_needs_the_split_named()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelExporter.Export(new ModelExportOptions { MapsPath = _maps, OutputPath = Path.Combine(_folder, "m.onnx") }));

        Assert.Contains("has splits 0, 1: name the one whose model to export (-Split)", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "m.onnx")));
    }

    [Fact]
    public void A_kept_metric_without_its_model_file_is_named()
    {
        var error = Assert.Throws<MapsException>(() => ModelExporter.Export(new ModelExportOptions { MapsPath = _maps, OutputPath = Path.Combine(_folder, "m.onnx"), Split = 0, SelectionMetric = "BA" }));

        Assert.Contains(Path.Combine("split-0", "best-BA", "model.pt"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_split_or_metric_lists_those_the_maps_has()
    {
        var split = Assert.Throws<NotFoundException>(() => ModelExporter.Export(new ModelExportOptions { MapsPath = _maps, OutputPath = Path.Combine(_folder, "m.onnx"), Split = 4 }));
        var metric = Assert.Throws<NotFoundException>(() => ModelExporter.Export(new ModelExportOptions { MapsPath = _maps, OutputPath = Path.Combine(_folder, "m.onnx"), Split = 0, SelectionMetric = "AUC" }));

        Assert.Contains("has no split 4 (it has: 0, 1)", split.Message, StringComparison.Ordinal);
        Assert.Contains("has no selection metric 'AUC' (it has: loss, BA)", metric.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_existing_file_is_kept_unless_overwriting_is_asked_and_no_temporary_file_is_left()
    {
        var path = Path.Combine(_folder, "existing.onnx");
        File.WriteAllText(path, "mine");

        Assert.Throws<OutputExistsException>(() => ModelExporter.Export(new ModelExportOptions { MapsPath = _maps, OutputPath = path, Split = 0 }));
        Assert.Equal("mine", File.ReadAllText(path));

        ModelExporter.Export(new ModelExportOptions { MapsPath = _maps, OutputPath = path, Split = 0, Overwrite = true });
        Assert.NotEqual("mine", File.ReadAllText(path));
        Assert.Equal(["existing.onnx", "maps"], Directory.EnumerateFileSystemEntries(_folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
