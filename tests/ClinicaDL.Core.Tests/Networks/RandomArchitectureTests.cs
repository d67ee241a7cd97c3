using System.Text.Json.Nodes;
using ClinicaDL.Core.Interpretation;
using ClinicaDL.Core.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Networks;

/// <summary>
/// RandomArchitecture against ClinicaDL 1.6.1's own class. The expected figures were printed by Debian 12's
/// python3-torch 1.13.1 running ClinicaDL's clinicadl/utils/network/cnn/random.py itself (the v1.6.1 source from
/// git archive, its clinicadl/__init__.py and clinicadl/utils/__init__.py emptied so that only the networks import):
/// <c>RandomArchitecture(convolutions_dict, n_fcblocks, input_size, dropout, network_normalization, output_size,
/// gpu=False)</c>, then the sum of its parameters' numel, its eval-mode output on zeros of batch 2, its FC blocks'
/// (in_features, out_features), and its state dict's names and shapes.
/// </summary>
public sealed class RandomArchitectureTests
{
    public RandomArchitectureTests() => TorchNatives.EnsureLoaded();

    /// <summary>ClinicaDL's random_conv_sampling form: conv0 takes the input's channels (null), each next block the previous out_channels.</summary>
    internal static JsonObject Blocks(string reduction, params (long Out, int Convolutions)[] blocks)
    {
        var dictionary = new JsonObject();
        long? previous = null;
        for (var i = 0; i < blocks.Length; i++)
        {
            dictionary[$"conv{i}"] = new JsonObject
            {
                ["in_channels"] = previous, ["out_channels"] = blocks[i].Out, ["n_conv"] = blocks[i].Convolutions, ["d_reduction"] = reduction,
            };
            previous = blocks[i].Out;
        }
        return dictionary;
    }

    public static TheoryData<string, int, long[], string?, int, long, string, string> Cases() => new()
    {
        // 3D, MaxPooling, BatchNorm, two FC blocks: 16 x ceil(33/4) x ceil(40/4) x ceil(35/4) = 12960 features.
        {
            Blocks("MaxPooling", (8, 1), (16, 2)).ToJsonString(), 2, [1, 33, 40, 35], "BatchNorm", 2, 2092541, "12960-161, 161-2",
            "convolutions.conv0.0.weight 8x1x3x3x3; convolutions.conv0.0.bias 8; convolutions.conv0.1.weight 8; convolutions.conv0.1.bias 8; convolutions.conv0.1.running_mean 8; convolutions.conv0.1.running_var 8; convolutions.conv0.1.num_batches_tracked ; " +
            "convolutions.conv1.0.weight 8x8x3x3x3; convolutions.conv1.0.bias 8; convolutions.conv1.1.weight 8; convolutions.conv1.1.bias 8; convolutions.conv1.1.running_mean 8; convolutions.conv1.1.running_var 8; convolutions.conv1.1.num_batches_tracked ; " +
            "convolutions.conv1.3.weight 16x8x3x3x3; convolutions.conv1.3.bias 16; convolutions.conv1.4.weight 16; convolutions.conv1.4.bias 16; convolutions.conv1.4.running_mean 16; convolutions.conv1.4.running_var 16; convolutions.conv1.4.num_batches_tracked ; " +
            "fc.FC0.0.weight 161x12960; fc.FC0.0.bias 161; fc.FC1.0.weight 2x161; fc.FC1.0.bias 2"
        },
        // 3D, stride, InstanceNorm (no weights, no running statistics), three FC blocks, three classes.
        {
            Blocks("stride", (4, 2), (8, 1), (16, 1)).ToJsonString(), 3, [1, 33, 40, 35], "InstanceNorm", 3, 468774, "2000-229, 229-26, 26-3",
            "convolutions.conv0.0.weight 1x1x3x3x3; convolutions.conv0.0.bias 1; convolutions.conv0.3.weight 4x1x3x3x3; convolutions.conv0.3.bias 4; convolutions.conv1.0.weight 8x4x3x3x3; convolutions.conv1.0.bias 8; " +
            "convolutions.conv2.0.weight 16x8x3x3x3; convolutions.conv2.0.bias 16; fc.FC0.0.weight 229x2000; fc.FC0.0.bias 229; fc.FC1.0.weight 26x229; fc.FC1.0.bias 26; fc.FC2.0.weight 3x26; fc.FC2.0.bias 3"
        },
        // 2D, MaxPooling, no normalisation (ClinicaDL's None), one FC block, one output (regression).
        {
            Blocks("MaxPooling", (8, 1), (16, 1), (32, 3)).ToJsonString(), 1, [1, 64, 57], null, 1, 12577, "2048-1",
            "convolutions.conv0.0.weight 8x1x3x3; convolutions.conv0.0.bias 8; convolutions.conv1.0.weight 16x8x3x3; convolutions.conv1.0.bias 16; convolutions.conv2.0.weight 16x16x3x3; convolutions.conv2.0.bias 16; " +
            "convolutions.conv2.2.weight 16x16x3x3; convolutions.conv2.2.bias 16; convolutions.conv2.4.weight 32x16x3x3; convolutions.conv2.4.bias 32; fc.FC0.0.weight 1x2048; fc.FC0.0.bias 1"
        },
        // 2D rgb-like input, stride, BatchNorm, channels held at a limit (16 then 16), two FC blocks.
        {
            Blocks("stride", (16, 1), (16, 2)).ToJsonString(), 2, [3, 50, 45], "BatchNorm", 2, 182615, "2496-71, 71-2",
            "convolutions.conv0.0.weight 16x3x3x3; convolutions.conv0.0.bias 16; convolutions.conv0.1.weight 16; convolutions.conv0.1.bias 16; convolutions.conv0.1.running_mean 16; convolutions.conv0.1.running_var 16; convolutions.conv0.1.num_batches_tracked ; " +
            "convolutions.conv1.0.weight 16x16x3x3; convolutions.conv1.0.bias 16; convolutions.conv1.1.weight 16; convolutions.conv1.1.bias 16; convolutions.conv1.1.running_mean 16; convolutions.conv1.1.running_var 16; convolutions.conv1.1.num_batches_tracked ; " +
            "convolutions.conv1.3.weight 16x16x3x3; convolutions.conv1.3.bias 16; convolutions.conv1.4.weight 16; convolutions.conv1.4.bias 16; convolutions.conv1.4.running_mean 16; convolutions.conv1.4.running_var 16; convolutions.conv1.4.num_batches_tracked ; " +
            "fc.FC0.0.weight 71x2496; fc.FC0.0.bias 71; fc.FC1.0.weight 2x71; fc.FC1.0.bias 2"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Has_ClinicaDLs_parameters_widths_output_and_state_dict(string convolutions, int fcBlocks, long[] inputShape, string? normalization, int outputs,
        long parameters, string widths, string stateDict)
    {
        using var network = Build(JsonNode.Parse(convolutions), fcBlocks, inputShape, normalization, outputs, dropout: 0.5);

        Assert.Equal(parameters, network.parameters().Sum(p => p.numel()));
        var blocks = ConvolutionBlock.Parse(JsonNode.Parse(convolutions));
        Assert.Equal(widths, string.Join(", ", RandomArchitecture.FullyConnectedDesign(fcBlocks, blocks[^1].OutChannels, blocks.Count, inputShape, outputs).Select(l => $"{l.In}-{l.Out}")));
        // As a set, as load_state_dict reads it (TorchSharp lists a module's buffers after all parameters, PyTorch beside them).
        Assert.Equal(stateDict.Split("; ").Order(StringComparer.Ordinal), network.state_dict().Select(p => $"{p.Key} {string.Join("x", p.Value.shape)}").Order(StringComparer.Ordinal));
        using var scope = NewDisposeScope();
        network.eval();
        Assert.Equal([2L, outputs], network.forward(zeros([2, .. inputShape])).shape);
        network.train();
        Assert.Equal([2L, outputs], network.forward(randn([2, .. inputShape])).shape);
    }

    /// <summary>
    /// fc_dict_design's widths for n_fcblocks 1 to 3, from ClinicaDL's own RandomArchitecture.fc_dict_design (numpy:
    /// ratio (in/out)^(1/n), each width rounded): three blocks ending at 32 channels on 35x42x36, 32 x 5x6x5 = 4800
    /// features, to 3 outputs.
    /// </summary>
    [Theory]
    [InlineData(1, "4800-3")]
    [InlineData(2, "4800-120, 120-3")]
    [InlineData(3, "4800-410, 410-35, 35-3")]
    public void Narrows_from_the_features_to_the_outputs_by_a_constant_ratio(int fcBlocks, string widths)
    {
        var design = RandomArchitecture.FullyConnectedDesign(fcBlocks, 32, 3, [1, 35, 42, 36], 3);

        Assert.Equal(widths, string.Join(", ", design.Select(l => $"{l.In}-{l.Out}")));
    }

    /// <summary>Grad-CAM's levels are the blocks (ClinicaDL's convolutions[:level]); the head after any level gives the network's outputs.</summary>
    [Fact]
    public void Its_feature_layers_are_its_blocks_for_GradCam()
    {
        manual_seed(5);
        using var network = Build(Blocks("MaxPooling", (4, 1), (8, 2), (8, 1)), 2, [1, 12, 14, 11], "BatchNorm", 2, dropout: 0.0);
        network.eval();
        using var scope = NewDisposeScope();
        var input = randn([2, 1, 12, 14, 11]);
        var feature = (IFeatureNetwork)network;

        Assert.Equal(3, feature.FeatureLayerCount);
        var afterFirst = feature.Features(input, 1);
        Assert.Equal([2L, 4, 6, 7, 6], afterFirst.shape);
        Assert.True(network.forward(input).allclose(feature.Head(afterFirst, 1)));
        var map = SaliencyMaps.Compute(network, input, new SaliencySettings { Method = SaliencyMethod.GradCam, TargetNode = 1, GradCamLevel = 2 }, classification: true);
        Assert.Equal([2L, 1, 12, 14, 11], map.shape);
        Assert.True(map.abs().sum().item<float>() > 0);
    }

    /// <summary>After a LeakyReLU a block's pooling pads an odd size with zeros, as ClinicaDL's PadMaxPool: a negative border stays 0 where the pad wins.</summary>
    [Fact]
    public void Pools_after_the_LeakyReLU_with_ClinicaDLs_zero_padding()
    {
        using var network = Build(Blocks("MaxPooling", (1, 1)), 1, [1, 3, 3], null, 1, dropout: 0.0);
        using var scope = NewDisposeScope();
        using var minusOne = (-1.0).ToScalar();
        using var zero = 0.0.ToScalar();
        using (no_grad())
        {
            foreach (var (name, parameter) in network.named_parameters())
            {
                // The convolution gives -1 everywhere (bias -1, weights 0), the LeakyReLU -0.01.
                parameter.fill_(name == "convolutions.conv0.0.bias" ? minusOne : zero);
            }
        }
        var features = ((IFeatureNetwork)network).Features(ones([1, 1, 3, 3]), 1);

        // 3x3 padded to 4x4 at the start: the first row and column of windows hold a zero pad; the last window does not.
        Assert.Equal(new[] { 0f, 0f, 0f, -0.01f }, features.flatten().data<float>().ToArray());
    }

    [Fact]
    public void Is_listed_with_the_keys_it_is_built_from_and_for_classification_and_regression()
    {
        var description = NetworkRegistry.All.Single(n => n.Name == "RandomArchitecture");

        Assert.Equal(["classification", "regression"], description.Tasks);
        Assert.Contains("convolutions_dict", description.Parameters);
        Assert.Contains("n_fcblocks", description.Parameters);
        Assert.Contains("convolutions_dict", description.Description);
        Assert.Null(NetworkRegistry.ClinicaDlMismatch("RandomArchitecture", [1, 33, 40, 35]));
    }

    [Fact]
    public void Without_its_blocks_it_says_which_keys_it_needs()
    {
        var error = Assert.Throws<ArgumentException>(() => NetworkRegistry.Create("RandomArchitecture", [1, 20, 20], 2, 0.5));

        Assert.Contains("convolutions_dict and n_fcblocks", error.Message);
        Assert.Contains("\"conv0\": {\"in_channels\": null", error.Message);
    }

    public static TheoryData<string, string> BadDictionaries() => new()
    {
        { "\"conv0\"", "convolutions_dict: expected a table of convolution blocks such as {\"conv0\": {\"in_channels\": null, \"out_channels\": 8, \"n_conv\": 1, \"d_reduction\": \"MaxPooling\"}" },
        { "[1, 2]", "convolutions_dict: expected a table of convolution blocks" },
        { "{}", "convolutions_dict: expected a table of convolution blocks" },
        { """{"conv0": {"in_channels": null, "out_channels": 8, "n_conv": 1, "d_reduction": "MaxPooling"}, "block1": {"in_channels": 8, "out_channels": 16, "n_conv": 1, "d_reduction": "MaxPooling"}}""",
            "convolutions_dict: block 2 is named 'block1'; ClinicaDL names the blocks conv0, conv1, ... in order (expected 'conv1')." },
        { """{"conv1": {"in_channels": null, "out_channels": 8, "n_conv": 1, "d_reduction": "MaxPooling"}}""", "block 1 is named 'conv1'" },
        { """{"conv0": 8}""", "convolutions_dict.conv0: expected a table with in_channels, out_channels, n_conv and d_reduction; got 8." },
        { """{"conv0": {"in_channels": null, "out_channels": 8, "d_reduction": "MaxPooling"}}""", "convolutions_dict.conv0: missing n_conv (a block has exactly in_channels, out_channels, n_conv and d_reduction)." },
        { """{"conv0": {"in_channels": null, "out_channel": 8, "n_conv": 1, "d_reduction": "MaxPooling"}}""", "convolutions_dict.conv0: missing out_channels; unknown out_channel" },
        { """{"conv0": {"in_channels": null, "out_channels": 8, "n_conv": 1, "d_reduction": "AvgPooling"}}""", "convolutions_dict.conv0: d_reduction must be \"MaxPooling\" or \"stride\" (as ClinicaDL spells them); got \"AvgPooling\"." },
        { """{"conv0": {"in_channels": null, "out_channels": 8, "n_conv": 1, "d_reduction": "Stride"}}""", "got \"Stride\"" },
        { """{"conv0": {"in_channels": null, "out_channels": "8", "n_conv": 1, "d_reduction": "stride"}}""", "convolutions_dict.conv0: out_channels must be a number of channels, at least 1; got \"8\"." },
        { """{"conv0": {"in_channels": null, "out_channels": 2.5, "n_conv": 1, "d_reduction": "stride"}}""", "out_channels must be a number of channels, at least 1; got 2.5." },
        { """{"conv0": {"in_channels": null, "out_channels": 8, "n_conv": 0, "d_reduction": "stride"}}""", "convolutions_dict.conv0: n_conv must be a number of convolutions, at least 1; got 0." },
        { """{"conv0": {"in_channels": true, "out_channels": 8, "n_conv": 1, "d_reduction": "stride"}}""", "convolutions_dict.conv0: in_channels must be null (the input's channels) or a number of channels, at least 1; got true." },
        { """{"conv0": {"in_channels": null, "out_channels": 8, "n_conv": 1, "d_reduction": "stride"}, "conv1": {"in_channels": 16, "out_channels": 32, "n_conv": 1, "d_reduction": "stride"}}""",
            "convolutions_dict.conv1: in_channels is 16, but conv0 gives 8 channels: a block's in_channels must be the previous block's out_channels." },
    };

    [Theory]
    [MemberData(nameof(BadDictionaries))]
    public void A_convolutions_dict_not_in_ClinicaDLs_form_is_refused_naming_the_block(string dictionary, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => ConvolutionBlock.Parse(JsonNode.Parse(dictionary)));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Channels_that_do_not_meet_the_input_are_refused_when_built()
    {
        var first = Assert.Throws<ArgumentException>(() => Build(JsonNode.Parse("""{"conv0": {"in_channels": 3, "out_channels": 8, "n_conv": 1, "d_reduction": "stride"}}"""), 1, [1, 20, 20], "BatchNorm", 2, 0.5));
        Assert.Contains("convolutions_dict.conv0: in_channels is 3, but the input has 1 channels (inputs of shape 1x20x20): give null (the input's channels) or 1.", first.Message);

        // ClinicaDL reads a later block's null as the input's channels too, which the previous block does not give.
        var later = Assert.Throws<ArgumentException>(() => Build(JsonNode.Parse(
            """{"conv0": {"in_channels": null, "out_channels": 8, "n_conv": 1, "d_reduction": "stride"}, "conv1": {"in_channels": null, "out_channels": 8, "n_conv": 1, "d_reduction": "stride"}}"""),
            1, [1, 20, 20], "BatchNorm", 2, 0.5));
        Assert.Contains("convolutions_dict.conv1: in_channels null means the input's 1 channels, but the previous block gives 8: give in_channels 8.", later.Message);
    }

    [Fact]
    public void An_unknown_normalisation_and_no_FC_block_are_refused()
    {
        var blocks = Blocks("stride", (4, 1));
        Assert.Contains("network_normalization must be BatchNorm, InstanceNorm or null (none), as ClinicaDL spells them; got 'GroupNorm'.",
            Assert.Throws<ArgumentException>(() => Build(blocks, 1, [1, 8, 8], "GroupNorm", 2, 0.5)).Message);
        Assert.Contains("n_fcblocks must be at least 1", Assert.Throws<ArgumentException>(() => Build(blocks, 0, [1, 8, 8], "BatchNorm", 2, 0.5)).Message);
    }

    [Fact]
    public void InstanceNorm_over_a_one_voxel_map_is_refused_naming_the_block()
    {
        // 8x8 halved three times is 1x1: the third stride block's InstanceNorm would normalise single values (libtorch gives zeros).
        var message = Assert.Throws<ArgumentException>(() => Build(Blocks("stride", (4, 1), (8, 1), (16, 1)), 1, [1, 8, 8], "InstanceNorm", 2, 0.0)).Message;
        Assert.Contains("convolutions_dict.conv2: InstanceNorm normalises each channel over its feature map, which is a single voxel there (inputs of shape 1x8x8)", message);
        // MaxPooling normalises before it pools: the third block still sees 2x2; BatchNorm normalises over the batch too.
        using (Build(Blocks("MaxPooling", (4, 1), (8, 1), (16, 1)), 1, [1, 8, 8], "InstanceNorm", 2, 0.0)) { }
        using (Build(Blocks("stride", (4, 1), (8, 1), (16, 1)), 1, [1, 8, 8], "BatchNorm", 2, 0.0)) { }
    }

    internal static TorchSharp.torch.nn.Module<Tensor, Tensor> Build(JsonNode? convolutions, int fcBlocks, long[] inputShape, string? normalization, int outputs, double dropout) =>
        NetworkRegistry.Create("RandomArchitecture", inputShape, outputs, new NetworkSettings
        {
            Dropout = dropout, ConvolutionBlocks = ConvolutionBlock.Parse(convolutions), FullyConnectedBlocks = fcBlocks, NetworkNormalization = normalization,
        });
}
