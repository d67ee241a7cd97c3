using System.Diagnostics;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Networks;
using ClinicaDL.Core.Tests.Workflows;
using ClinicaDL.Core.Training;
using ClinicaDL.Core.Workflows;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Networks;

/// <summary>
/// A TorchScript CNN written by Debian's python3-torch 1.13 (TorchScript file format 3, made by
/// TorchScript/make_small_cnn.py in the test; skipped where /usr/bin/python3 has no torch) loads into libtorch
/// 2.10: its parameters train, train() and eval() switch its BatchNorm and Dropout, and it trains into a MAPS
/// that keeps a copy of it, resumes from that copy, and refuses a shape or task it does not fit.
/// </summary>
public sealed class TorchScriptNetworkTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("clinicadl-torchscript-").FullName;

    public TorchScriptNetworkTests() => TorchNatives.EnsureLoaded();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [SkippableFact]
    public void A_TorchScript_CNN_from_PyTorch_1_13_trains_and_switches_between_training_and_evaluation()
    {
        var path = SmallCnn();
        using var network = TorchScriptNetwork.Load(path, [1, 8, 8, 8], 2, reconstruction: false);
        var parameters = network.named_parameters().ToList();
        Assert.Equal(["script.features.0.weight", "script.features.0.bias", "script.features.1.weight", "script.features.1.bias", "script.fc.2.weight", "script.fc.2.bias"],
            parameters.Select(p => p.name));
        Assert.All(parameters, p => Assert.True(p.parameter.requires_grad));
        Assert.Contains(network.named_buffers(), b => b.name == "script.features.1.running_mean");

        using var scope = NewDisposeScope();
        var input = randn([4, 1, 8, 8, 8], generator: new Generator(1));
        // Training mode: dropout differs between two passes and BatchNorm's running mean moves.
        network.train();
        var before = network.named_buffers().Single(b => b.name == "script.features.1.running_mean").buffer.clone();
        using (no_grad())
        {
            Assert.False(network.forward(input).equal(network.forward(input)).all().item<bool>());
        }
        Assert.False(before.allclose(network.named_buffers().Single(b => b.name == "script.features.1.running_mean").buffer));
        // Evaluation mode: the same output twice, the running statistics left alone.
        network.eval();
        var frozen = network.named_buffers().Single(b => b.name == "script.features.1.running_mean").buffer.clone();
        using (no_grad())
        {
            Assert.True(network.forward(input).equal(network.forward(input)).all().item<bool>());
        }
        Assert.True(frozen.equal(network.named_buffers().Single(b => b.name == "script.features.1.running_mean").buffer).all().item<bool>());

        // Adam steps on one batch lower its loss: the gradients reach the script's parameters.
        network.train();
        var labels = tensor(new long[] { 0, 1, 0, 1 });
        using var optimizer = optim.Adam(network.parameters(), 1e-2);
        var losses = new List<float>();
        for (var step = 0; step < 20; step++)
        {
            using var stepScope = NewDisposeScope();
            network.eval();
            var loss = nn.functional.cross_entropy(network.forward(input), labels);
            losses.Add(loss.item<float>());
            network.train();
            optimizer.zero_grad();
            nn.functional.cross_entropy(network.forward(input), labels).backward();
            optimizer.step();
        }
        Assert.True(losses[^1] < losses[0] * 0.8, $"losses {string.Join(", ", losses)}");
    }

    [SkippableFact]
    public void A_TorchScript_network_refuses_a_shape_or_a_task_it_does_not_fit()
    {
        var path = SmallCnn();
        var wrongOutput = Assert.Throws<NetworkFileException>(() => TorchScriptNetwork.Load(path, [1, 8, 8, 8], 3, reconstruction: false));
        Assert.Contains("for one sample of 1x8x8x8 it gives 2; this task needs 3 output(s) per sample", wrongOutput.Message);
        var wrongShape = Assert.Throws<NetworkFileException>(() => TorchScriptNetwork.Load(path, [2, 8, 8, 8], 2, reconstruction: false));
        Assert.Contains("it cannot take a batch of samples of 2x8x8x8", wrongShape.Message);
        var notScript = Path.Combine(_root, "weights.pt");
        File.WriteAllText(notScript, "not a zip");
        Assert.Contains("libtorch cannot load it as a TorchScript module", Assert.Throws<NetworkFileException>(() => TorchScriptNetwork.Load(notScript, [1, 8, 8, 8], 2, false)).Message);

        // libtorch 2.10 reads TorchScript file format versions up to 10 (PyTorch 1.13 writes 3): 10 loads, 11 is refused.
        foreach (var (version, loads) in new[] { (10, true), (11, false) })
        {
            var relabelled = SmallCnn(version);
            if (loads)
            {
                TorchScriptNetwork.Load(relabelled, [1, 8, 8, 8], 2, false).Dispose();
            }
            else
            {
                Assert.Contains("Attempted to read a PyTorch file with version 11, but the maximum supported version for reading is 10",
                    Assert.Throws<NetworkFileException>(() => TorchScriptNetwork.Load(relabelled, [1, 8, 8, 8], 2, false)).Message);
            }
        }
    }

    [SkippableFact]
    public void A_TorchScript_network_trains_into_a_MAPS_with_its_copy_and_resumes()
    {
        var path = SmallCnn();
        var (caps, split) = TinyStudy.Create(_root, participants: 8, seed: 4);
        var config = TrainingConfig.Build(null, new Dictionary<string, object?>
        {
            ["caps_directory"] = caps, ["tsv_path"] = split, ["epochs"] = 2, ["batch_size"] = 2, ["seed"] = 3, ["architecture"] = path, ["bootstrap_resamples"] = 10,
        });
        var whole = Path.Combine(_root, "whole");
        Assert.All(Trainer.Train(config, whole, overwrite: false, "test"), r => Assert.Equal(TrainingStatus.Completed, r.Status));
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(Path.Combine(whole, "architecture.pt")));
        Assert.Equal(Path.Combine(whole, "architecture.pt"), MapsFolder.Open(whole).Configuration.ArchitectureFile);
        // Its weights are named script.*, which no ClinicaDL network reads: no model.pth.tar beside model.pt.
        Assert.True(File.Exists(Path.Combine(whole, "split-0", "best-loss", "model.pt")));
        Assert.False(File.Exists(Path.Combine(whole, "split-0", "best-loss", "model.pth.tar")));

        var resumed = Path.Combine(_root, "resumed");
        using var stop = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Train(config, resumed, overwrite: false, "test",
            new Recorder(p => { if (p.Epoch == 1 && p.Batch >= 1) { stop.Cancel(); } }), cancellation: stop.Token));
        File.Delete(path);
        Assert.All(Trainer.Resume(resumed, "test"), r => Assert.Equal(TrainingStatus.Completed, r.Status));
        Assert.Equal(Losses(whole), Losses(resumed));
    }

    /// <summary>The small CNN as TorchScript, written by Debian's PyTorch 1.13 (the test is skipped where it is absent), its version record rewritten if asked.</summary>
    private string SmallCnn(int? fileFormatVersion = null)
    {
        const string python = "/usr/bin/python3";
        var script = Path.Combine(EngineSource.Repository, "tests", "ClinicaDL.Core.Tests", "Networks", "TorchScript", "make_small_cnn.py");
        var output = Path.Combine(_root, $"small{fileFormatVersion}.pt");
        Skip.IfNot(File.Exists(python), "TorchScript tests need Debian's python3-torch (/usr/bin/python3 is absent).");
        using var process = Process.Start(new ProcessStartInfo(python, [script, output, .. fileFormatVersion is { } version ? [version.ToString(System.Globalization.CultureInfo.InvariantCulture)] : Array.Empty<string>()]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Skip.If(process.ExitCode != 0 && error.Result.Contains("No module named 'torch'", StringComparison.Ordinal), "TorchScript tests need Debian's python3-torch (apt-get install python3-torch).");
        Assert.True(process.ExitCode == 0, error.Result);
        return output;
    }

    private static List<string> Losses(string maps)
    {
        var log = TrainingLog.Read(new MapsLayout(maps).Split(0).TrainingLog());
        var kept = log.Columns.Select((c, i) => (c, i)).Where(c => !c.c.Contains("time", StringComparison.OrdinalIgnoreCase)).Select(c => c.i).ToList();
        return log.Rows.Select(r => string.Join("\t", kept.Select(i => r[i]))).ToList();
    }

    private sealed class Recorder(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
