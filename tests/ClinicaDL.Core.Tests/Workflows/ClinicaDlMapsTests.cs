using System.Globalization;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;
using ClinicaDL.Core.Workflows;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Workflows;

/// <summary>
/// The MAPS ClinicaDL 1.6.1 wrote itself (../shared/testdata/clinicadl-maps) is the yardstick: its Conv5_FC3
/// (model.pth.tar) predicts its test images here with ClinicaDL's own probabilities, from its .pt tensors and
/// from the NIfTI images alike, and the model file this module writes for ClinicaDL holds the same names,
/// shapes and bits as ClinicaDL's.
/// </summary>
public sealed class ClinicaDlMapsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("clinicadl-maps-").FullName;

    public ClinicaDlMapsTests() => TorchNatives.EnsureLoaded();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Its_model_predicts_its_test_images_with_its_own_probabilities(bool withItsTensors)
    {
        Skip.If(TestData.Root is null, TestData.SkipMessage);
        var maps = Copy(TestData.Path("clinicadl-maps", "maps"), Path.Combine(_root, "maps"));
        var caps = Copy(TestData.Path("clinicadl-maps", "caps"), Path.Combine(_root, "caps"));
        if (!withItsTensors)
        {
            foreach (var tensor in Directory.EnumerateFiles(caps, "*.pt", SearchOption.AllDirectories))
            {
                File.Delete(tensor);
            }
        }
        var log = new List<string>();
        var rows = Predictor.Predict(new PredictionOptions
        {
            MapsPath = maps, DataGroup = "test-here", CapsPath = caps, TsvPath = TestData.Path("clinicadl-maps", "split", "test_baseline.tsv"),
            Splits = [0], SelectionMetrics = ["loss"],
        }, log.Add);
        Assert.Equal(withItsTensors, log.Any(l => l.Contains("read from the .pt tensors of ClinicaDL's prepare-data", StringComparison.Ordinal)));
        var reference = TsvTable.Read(Path.Combine(maps, "split-0", "best-loss", "test", "test_image_level_prediction.tsv"));
        Assert.Equal(4, reference.Rows.Count);
        Assert.Equal(reference.Rows.Count, rows.Count);
        foreach (var row in reference.Rows)
        {
            var ours = Assert.Single(rows, r => r.ParticipantId == row[reference.IndexOf("participant_id")] && r.SessionId == row[reference.IndexOf("session_id")]);
            for (var k = 0; k < 2; k++)
            {
                var expected = double.Parse(row[reference.IndexOf($"proba{k}")]!, CultureInfo.InvariantCulture);
                Assert.InRange(ours.Probabilities[k], expected - 1e-4, expected + 1e-4);
            }
        }
    }

    [SkippableFact]
    public void A_training_reads_its_prepare_data_tensors_and_leaves_a_model_file_for_ClinicaDL()
    {
        Skip.If(TestData.Root is null, TestData.SkipMessage);
        var log = new List<string>();
        var config = TrainingConfig.Build(null, new Dictionary<string, object?>
        {
            ["caps_directory"] = TestData.Path("clinicadl-maps", "caps"), ["tsv_path"] = TestData.Path("clinicadl-maps", "split", "2_fold"),
            ["split"] = new[] { 0 }, ["epochs"] = 1, ["batch_size"] = 2, ["threads"] = 1, ["bootstrap_resamples"] = 0,
        });
        var maps = Path.Combine(_root, "trained");
        var result = Assert.Single(Trainer.Train(config, maps, overwrite: false, "test", log: log.Add));
        Assert.Equal(TrainingStatus.Completed, result.Status);
        // Split 0 trains on 6 and validates on 6 of the 12 participants outside the test set.
        Assert.Contains(log, l => l.StartsWith("12 image(s) are read from the .pt tensors of ClinicaDL's prepare-data", StringComparison.Ordinal));
        var written = new SplitLayout(maps, 0).ClinicaDlModel("loss");
        var content = PyTorchFile.ReadDictionary(written);
        Assert.Equal("Conv5_FC3", content["name"]);
        Assert.Equal(0, Convert.ToInt32(content["epoch"], CultureInfo.InvariantCulture));
        using var fromClinicaDlFile = ClinicaDL.Core.Networks.NetworkRegistry.Create("Conv5_FC3", [1, 57, 70, 60], 2, 0.0);
        using var fromOurFile = ClinicaDL.Core.Networks.NetworkRegistry.Create("Conv5_FC3", [1, 57, 70, 60], 2, 0.0);
        ModelFile.Load(fromClinicaDlFile, written);
        ModelFile.Load(fromOurFile, new SplitLayout(maps, 0).BestModel("loss"));
        foreach (var (name, tensor) in fromOurFile.state_dict())
        {
            Assert.True(tensor.eq(fromClinicaDlFile.state_dict()[name]).all().item<bool>(), $"{name} differs between model.pt and model.pth.tar");
        }
    }

    [SkippableFact]
    public void The_model_file_written_for_ClinicaDL_holds_its_names_shapes_and_bits()
    {
        Skip.If(TestData.Root is null, TestData.SkipMessage);
        var theirs = TestData.Path("clinicadl-maps", "maps", "split-0", "best-BA", "model.pth.tar");
        using var model = ClinicaDL.Core.Networks.NetworkRegistry.Create("Conv5_FC3", [1, 57, 70, 60], 2, 0.0);
        ModelFile.Load(model, theirs);
        var ours = Path.Combine(_root, "model.pth.tar");
        ModelFile.SaveForClinicaDl(model, ours, 7, "Conv5_FC3");

        var content = PyTorchFile.ReadDictionary(ours);
        Assert.Equal(7, Convert.ToInt32(content["epoch"], CultureInfo.InvariantCulture));
        Assert.Equal("Conv5_FC3", content["name"]);
        var written = ModelFile.ReadClinicaDlStateDict(ours);
        var expected = ModelFile.ReadClinicaDlStateDict(theirs);
        try
        {
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), written.Keys.Order(StringComparer.Ordinal));
            foreach (var (name, tensor) in expected)
            {
                Assert.Equal(tensor.shape, written[name].shape);
                Assert.Equal(tensor.dtype, written[name].dtype);
                Assert.True(tensor.eq(written[name]).all().item<bool>(), $"{name} differs");
            }
        }
        finally
        {
            foreach (var tensor in expected.Values.Concat(written.Values))
            {
                tensor.Dispose();
            }
        }
    }

    [SkippableFact]
    public void PyTorch_loads_the_model_file_written_for_ClinicaDL_with_ClinicaDL_s_names_and_values()
    {
        Skip.If(TestData.Root is null, TestData.SkipMessage);
        var python = PythonWithTorch();
        Skip.If(python is null, "no python3 with torch here (Debian's python3-torch; .ci/run installs it)");
        var theirs = TestData.Path("clinicadl-maps", "maps", "split-0", "best-loss", "model.pth.tar");
        using var model = ClinicaDL.Core.Networks.NetworkRegistry.Create("Conv5_FC3", [1, 57, 70, 60], 2, 0.0);
        ModelFile.Load(model, theirs);
        var ours = Path.Combine(_root, "model.pth.tar");
        ModelFile.SaveForClinicaDl(model, ours, 9, "Conv5_FC3");
        var script = Path.Combine(_root, "compare.py");
        File.WriteAllText(script, """
            import sys, torch
            ours, theirs = torch.load(sys.argv[1], map_location="cpu"), torch.load(sys.argv[2], map_location="cpu")
            assert set(ours) == {"model", "epoch", "name"}, set(ours)
            assert ours["epoch"] == 9 and ours["name"] == "Conv5_FC3", (ours["epoch"], ours["name"])
            a, b = ours["model"], theirs["model"]
            assert list(sorted(a)) == list(sorted(b)), set(a) ^ set(b)
            for k in b:
                assert a[k].dtype == b[k].dtype and a[k].shape == b[k].shape and torch.equal(a[k], b[k]), k
            print("same", len(b))
            """);
        var (code, output) = Run(python!, $"\"{script}\" \"{ours}\" \"{theirs}\"");
        Assert.True(code == 0, output);
        Assert.Contains("same 41", output, StringComparison.Ordinal);
    }

    private static string? PythonWithTorch() =>
        new[] { "/usr/bin/python3", "python3" }.FirstOrDefault(p => { try { return Run(p, "-c \"import torch\"").Code == 0; } catch (System.ComponentModel.Win32Exception) { return false; } });

    private static (int Code, string Output) Run(string program, string arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error);
    }

    [SkippableFact]
    public void A_ClinicaDL_tensor_file_reads_as_the_image_it_was_made_from()
    {
        Skip.If(TestData.Root is null, TestData.SkipMessage);
        var session = TestData.Path("clinicadl-maps", "caps", "subjects", "sub-008", "ses-M000");
        var stem = "sub-008_ses-M000_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w";
        var file = Path.Combine(session, "deeplearning_prepare_data", "image_based", "t1_linear", stem + ".pt");
        using var tensor = PyTorchFile.ReadTensor(file);
        // The shape read from the pickle alone is the tensor's.
        Assert.Equal(tensor.shape, PyTorchFile.ReadTensorShape(file));
        var values = NiftiReader.ReadSingle(Path.Combine(session, "t1_linear", stem + ".nii.gz"), out var header);
        Assert.Equal([1L, header.Shape[0], header.Shape[1], header.Shape[2]], tensor.shape);
        // NIfTI runs x fastest; the tensor is [1, X, Y, Z] in C order.
        using var fromNifti = TorchSharp.torch.tensor(values, [header.Shape[2], header.Shape[1], header.Shape[0]]).permute(2, 1, 0).unsqueeze(0).contiguous();
        Assert.True(tensor.eq(fromNifti).all().item<bool>());
    }

    [Fact]
    public void The_same_weights_give_the_same_model_file_bytes_whenever_they_are_written()
    {
        manual_seed(3);
        using var model = ClinicaDL.Core.Networks.NetworkRegistry.Create("Conv4_FC3", [1, 12, 14, 10], 2, 0.0);
        var first = Path.Combine(_root, "first.pth.tar");
        var second = Path.Combine(_root, "second.pth.tar");
        ModelFile.SaveForClinicaDl(model, first, 2, "Conv4_FC3");
        Thread.Sleep(2100);
        ModelFile.SaveForClinicaDl(model, second, 2, "Conv4_FC3");
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Fact]
    public void A_file_that_is_not_a_PyTorch_zip_is_refused_by_name()
    {
        var path = Path.Combine(_root, "bad.pt");
        File.WriteAllText(path, "not a zip");
        var error = Assert.Throws<InvalidTensorFileException>(() => PyTorchFile.ReadTensor(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    private static string Copy(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return to;
    }
}
