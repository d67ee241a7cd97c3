using ClinicaDL.Core.Export;
using ClinicaDL.Core.Networks;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Export;

/// <summary>
/// Every network of the registry, exported to ONNX and run by ONNX Runtime on a random batch, gives our forward
/// pass's outputs. BatchNorm statistics and affine parameters are randomised first, so that eval-mode
/// normalisation is not the near-identity of a fresh network and a wrong translation of it shows.
/// </summary>
public sealed class OnnxExporterTests
{
    private const float Tolerance = 1e-4f;

    private readonly ITestOutputHelper _output;

    public OnnxExporterTests(ITestOutputHelper output)
    {
        _output = output;
        TorchNatives.EnsureLoaded();
    }

    /// <summary>Small inputs, odd sizes among them (PadMaxPool's padding, the autoencoder's cropping), 2D and 3D, batch 2.</summary>
    public static TheoryData<string, long[], int> SmallNetworks => new()
    {
        { "Conv5_FC3", [1, 21, 26, 23], 2 },
        { "Conv5_FC3", [1, 33, 40], 3 },
        { "Conv4_FC3", [1, 17, 18, 19], 2 },
        { "Conv5_FC3_SSDA", [1, 21, 26, 23], 2 },
        { "Stride_Conv5_FC3", [1, 35, 36, 37], 1 },
        { "Stride_Conv5_FC3", [3, 40, 41], 2 },
        { "resnet18", [3, 40, 37], 2 },
        { "resnet18", [1, 64, 64], 3 },
        { "AE_Conv5_FC3", [1, 21, 26, 23], 1 },
        { "AE_Conv5_FC3", [2, 33, 40], 1 },
        { "AE_Conv4_FC3", [1, 16, 16, 16], 1 },
    };

    [Theory]
    [MemberData(nameof(SmallNetworks))]
    public void The_onnx_model_gives_the_networks_outputs_for_a_batch_of_two(string architecture, long[] sampleShape, int outputs)
    {
        manual_seed(7);
        using var network = NetworkRegistry.Create(architecture, sampleShape, outputs, 0.5);

        var (expected, actual) = RunBoth(network, sampleShape, batch: 2);

        Assert.Equal(expected.Shape, actual.Shape);
        AssertClose(expected.Values, actual.Values);
    }

    [Fact]
    public void CAE_half_exports_with_its_dense_latent_code()
    {
        manual_seed(8);
        using var network = NetworkRegistry.Create("CAE_half", HalfConvolutionalAutoEncoder.RequiredShape, 1, 0.0, latentSpaceSize: 4);

        var (expected, actual) = RunBoth(network, HalfConvolutionalAutoEncoder.RequiredShape, batch: 2);

        Assert.Equal([2L, .. HalfConvolutionalAutoEncoder.RequiredShape], actual.Shape);
        AssertClose(expected.Values, actual.Values);
    }

    /// <summary>ResNet3D takes only full 169x208x179 images: one sample keeps the test's memory to about 2 GB.</summary>
    [Fact]
    public void ResNet3D_exports_at_its_only_input_size()
    {
        manual_seed(9);
        using var network = NetworkRegistry.Create("ResNet3D", ResNet3D.RequiredShape, 2, 0.0);

        var (expected, actual) = RunBoth(network, ResNet3D.RequiredShape, batch: 1);

        Assert.Equal([1L, 2], actual.Shape);
        AssertClose(expected.Values, actual.Values);
    }

    /// <summary>RandomArchitecture with stride-2 blocks, with BatchNorm or no normalisation, and its FC blocks.</summary>
    [Theory]
    [InlineData("BatchNorm", new long[] { 1, 21, 26, 23 }, 2)]
    [InlineData(null, new long[] { 2, 33, 40 }, 3)]
    public void RandomArchitecture_exports_its_stride_blocks(string? normalization, long[] sampleShape, int fcBlocks)
    {
        manual_seed(10);
        using var network = Networks.RandomArchitectureTests.Build(Networks.RandomArchitectureTests.Blocks("stride", (4, 2), (8, 1)), fcBlocks, sampleShape, normalization, 2, 0.5);

        var (expected, actual) = RunBoth(network, sampleShape, batch: 2);

        Assert.Equal([2L, 2], actual.Shape);
        AssertClose(expected.Values, actual.Values);
    }

    [Fact]
    public void RandomArchitecture_with_MaxPooling_is_refused_with_the_reason()
    {
        using var network = Networks.RandomArchitectureTests.Build(Networks.RandomArchitectureTests.Blocks("MaxPooling", (4, 1)), 1, [1, 8, 8], "BatchNorm", 2, 0.0);
        using var destination = new MemoryStream();

        var refusal = Assert.Throws<ModelExportException>(() => OnnxExporter.Write(network, [1, 8, 8], destination));

        Assert.Contains("RandomArchitecture cannot be exported to ONNX: the network (RandomArchitecture): its MaxPooling blocks pad with zeros after a LeakyReLU", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(0, destination.Length);
    }

    [Fact]
    public void RandomArchitecture_with_InstanceNorm_is_refused_naming_the_layer()
    {
        using var network = Networks.RandomArchitectureTests.Build(Networks.RandomArchitectureTests.Blocks("stride", (4, 1)), 1, [1, 8, 8], "InstanceNorm", 2, 0.0);
        using var destination = new MemoryStream();

        var refusal = Assert.Throws<ModelExportException>(() => OnnxExporter.Write(network, [1, 8, 8], destination));

        Assert.Equal("convolutions.conv0.1", refusal.Layer);
        Assert.Contains("RandomArchitecture cannot be exported to ONNX: its layer 'convolutions.conv0.1' (InstanceNorm2d)", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(0, destination.Length);
    }

    [Fact]
    public void The_model_declares_input_and_output_with_a_dynamic_batch_and_opset_17()
    {
        manual_seed(3);
        using var network = NetworkRegistry.Create("Conv5_FC3", [1, 12, 14, 10], 2, 0.5);
        var model = Export(network, [1, 12, 14, 10]);
        using var session = new InferenceSession(model);

        var input = Assert.Single(session.InputMetadata);
        Assert.Equal("input", input.Key);
        Assert.Equal([-1, 1, 12, 14, 10], input.Value.Dimensions);
        Assert.Equal("batch", input.Value.SymbolicDimensions[0]);
        var output = Assert.Single(session.OutputMetadata);
        Assert.Equal("output", output.Key);
        Assert.Equal([-1, 2], output.Value.Dimensions);
        Assert.Equal("ClinicaDL for PowerShell", session.ModelMetadata.ProducerName);
        Assert.Equal("Conv5_FC3", session.ModelMetadata.GraphName);
        // The weights are the initializers: the state dict's parameters and running statistics, by name.
        Assert.True(model.Length > 4 * network.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void A_network_left_in_training_mode_is_exported_in_eval_mode_and_left_as_it_was()
    {
        manual_seed(4);
        using var network = NetworkRegistry.Create("Conv4_FC3", [1, 20, 20], 2, 0.9);
        network.train();

        var (expected, actual) = RunBoth(network, [1, 20, 20], batch: 2);

        AssertClose(expected.Values, actual.Values);
        Assert.True(network.training);
    }

    [Fact]
    public void A_layer_without_translation_is_refused_naming_the_network_and_the_layer_and_nothing_is_written()
    {
        using var network = nn.Sequential(("0", nn.Conv2d(1, 4, 3)), ("1", nn.Softmax2d()));
        using var destination = new MemoryStream();

        var refusal = Assert.Throws<ModelExportException>(() => OnnxExporter.Write(network, [1, 8, 8], destination));

        Assert.Equal("1", refusal.Layer);
        Assert.Contains("its layer '1' (Softmax2d)", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("no ONNX translation", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(0, destination.Length);
    }

    [Fact]
    public void A_batch_norm_without_running_statistics_is_refused_with_the_reason()
    {
        using var network = nn.Sequential(("conv", nn.Conv2d(1, 4, 3)), ("norm", nn.BatchNorm2d(4, track_running_stats: false)));
        using var destination = new MemoryStream();

        var refusal = Assert.Throws<ModelExportException>(() => OnnxExporter.Write(network, [1, 8, 8], destination));

        Assert.Equal("norm", refusal.Layer);
        Assert.Contains("running statistics", refusal.Message, StringComparison.Ordinal);
    }

    private static byte[] Export(nn.Module<Tensor, Tensor> network, long[] sampleShape)
    {
        using var file = new MemoryStream();
        OnnxExporter.Write(network, sampleShape, file, new Dictionary<string, string> { ["architecture"] = network.GetName() });
        return file.ToArray();
    }

    /// <summary>Our eval-mode forward and ONNX Runtime's, on the same random batch.</summary>
    private static ((long[] Shape, float[] Values) Expected, (long[] Shape, float[] Values) Actual) RunBoth(nn.Module<Tensor, Tensor> network, long[] sampleShape, int batch)
    {
        RandomiseBatchNorm(network);
        var model = Export(network, sampleShape);
        using var scope = NewDisposeScope();
        var input = randn([batch, .. sampleShape]);
        var training = network.training;
        network.eval();
        Tensor forward;
        using (no_grad())
        {
            forward = network.forward(input);
        }
        network.train(training);
        var expected = (forward.shape, forward.data<float>().ToArray());

        using var session = new InferenceSession(model);
        using var value = OrtValue.CreateTensorValueFromMemory(input.data<float>().ToArray(), [batch, .. sampleShape]);
        using var options = new RunOptions();
        using var results = session.Run(options, ["input"], [value], ["output"]);
        var output = results[0];
        return (expected, (output.GetTensorTypeAndShape().Shape, output.GetTensorDataAsSpan<float>().ToArray()));
    }

    private static void RandomiseBatchNorm(nn.Module<Tensor, Tensor> network)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var half = 0.5.ToScalar();
        foreach (var norm in network.modules().OfType<BatchNorm>())
        {
            var channels = norm.num_features;
            norm.running_mean!.copy_(randn(channels));
            norm.running_var!.copy_(rand(channels).add_(half));
            norm.weight!.copy_(rand(channels).add_(half));
            norm.bias!.copy_(randn(channels));
        }
    }

    private void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        _output.WriteLine($"{expected.Length} outputs, largest |value| {expected.Max(Math.Abs):G3}, largest difference {worst:G3}.");
        Assert.True(worst <= Tolerance, $"The ONNX outputs differ from the network's by up to {worst:G3} (tolerance {Tolerance:G3}).");
        Assert.Contains(expected, v => v != 0);
    }
}
