using ClinicaDL.Core.Interpretation;
using ClinicaDL.Core.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Networks;

/// <summary>
/// Network files: the example Conv5_FC3 file is the built-in Conv5_FC3 (same parameters from the same seed, same
/// losses step after step), connections by name work forwards and backwards, the .psd1 and JSON forms agree, and
/// each mistake is an error naming the layer and what was expected.
/// </summary>
public sealed class NetworkFileTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("clinicadl-netfile-").FullName;

    public NetworkFileTests() => TorchNatives.EnsureLoaded();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    internal static string Example => Path.Combine(EngineSource.Repository, "examples", "networks", "conv5-fc3.psd1");

    public static TheoryData<long[]> Shapes() => new() { new long[] { 1, 21, 26, 23 }, new long[] { 1, 33, 40 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_example_Conv5_FC3_file_gets_the_built_in_networks_weights_and_losses_from_the_same_seed(long[] shape)
    {
        manual_seed(11);
        using var builtIn = NetworkRegistry.Create("Conv5_FC3", shape, 2, 0.25);
        manual_seed(11);
        using var file = NetworkFile.Load(Example).Build(shape, 2, 0.25);

        var expected = builtIn.parameters().ToList();
        var actual = file.parameters().ToList();
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Sum(p => p.numel()), actual.Sum(p => p.numel()));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].shape, actual[i].shape);
            Assert.True(expected[i].eq(actual[i]).all().item<bool>(), $"parameter {i} {string.Join("x", expected[i].shape)} differs");
        }

        // Three Adam steps on the same batches, dropout drawing from the same generator: the same losses, to the bit.
        using var optimizerA = optim.Adam(builtIn.parameters(), 1e-3);
        using var optimizerB = optim.Adam(file.parameters(), 1e-3);
        var labels = tensor(new long[] { 0, 1, 1, 0 });
        for (var step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            var batch = randn([4, .. shape], generator: new Generator((ulong)(100 + step)));
            manual_seed(200 + step);
            var lossA = nn.functional.cross_entropy(builtIn.forward(batch), labels);
            manual_seed(200 + step);
            var lossB = nn.functional.cross_entropy(file.forward(batch), labels);
            Assert.Equal(lossA.item<float>(), lossB.item<float>());
            optimizerA.zero_grad();
            optimizerB.zero_grad();
            lossA.backward();
            lossB.backward();
            optimizerA.step();
            optimizerB.step();
        }
    }

    [Fact]
    public void The_psd1_and_the_json_form_build_the_same_network()
    {
        var json = Write("conv5-fc3.json", """
            {
              "Name": "Conv5_FC3 (file)",
              "Blocks": { "ConvBlock": { "Parameters": { "Channels": 8 }, "Layers": [
                { "Layer": "Conv", "Channels": "$Channels", "Kernel": 3, "Padding": 1 },
                { "Layer": "BatchNorm" }, { "Layer": "ReLU" }, { "Layer": "PadMaxPool" } ] } },
              "Layers": [
                { "Block": "ConvBlock", "Repeat": { "Channels": [8, 16, 32, 64, 128] } },
                { "Layer": "Flatten" }, { "Layer": "Dropout" },
                { "Layer": "Linear", "In": -1, "Out": 1300 }, { "Layer": "ReLU" },
                { "Layer": "Linear", "Out": 50 }, { "Layer": "ReLU" },
                { "Layer": "Linear", "Out": "output" } ]
            }
            """);
        long[] shape = [1, 21, 26, 23];
        var fromPsd1 = NetworkFile.Load(Example).Summarize(shape, 3, 0, 2, "Adam");
        var fromJson = NetworkFile.Load(json).Summarize(shape, 3, 0, 2, "Adam");

        Assert.Equal("Conv5_FC3 (file)", fromJson.Name);
        Assert.Equal(fromPsd1.ParameterCount, fromJson.ParameterCount);
        Assert.Equal(fromPsd1.Layers.Select(l => (l.Layer, l.OutputShape.ToString(), l.Parameters)), fromJson.Layers.Select(l => (l.Layer, l.OutputShape.ToString(), l.Parameters)));
        using var builtIn = NetworkRegistry.Create("Conv5_FC3", shape, 3, 0);
        Assert.Equal(builtIn.parameters().Sum(p => p.numel()), fromJson.ParameterCount);
        // 21x26x23 pooled five times (odd sizes padded): 1x1x1, so 128 features into FC 1300.
        Assert.Equal("128x1x1x1", fromJson.Layers[19].OutputShape.ToString());
        Assert.Equal("3", fromJson.OutputShape.ToString());
        // ClinicaDL's names for Conv5_FC3's layers, blocks flattened: the same state dict, so weights exchange.
        using var fromFile = NetworkFile.Load(json).Build(shape, 3, 0);
        Assert.Equal(builtIn.state_dict().Select(kv => (kv.Key, string.Join("x", kv.Value.shape))), fromFile.state_dict().Select(kv => (kv.Key, string.Join("x", kv.Value.shape))));
        Assert.Contains(fromFile.state_dict().Keys, k => k == "convolutions.17.running_var");
        Assert.Contains(fromFile.state_dict().Keys, k => k == "fc.6.weight");
    }

    [Fact]
    public void The_memory_estimate_counts_parameters_gradients_the_optimiser_and_every_kept_output()
    {
        var file = Write("small.psd1", """
            @{ Layers = @(
                @{ Layer = 'Conv'; Channels = 4; Kernel = 3; Padding = 1 }   # 1x6x6 -> 4x6x6, 4*9+4 = 40 parameters
                @{ Layer = 'ReLU' }
                @{ Layer = 'Flatten' }                                        # a view: nothing kept
                @{ Layer = 'Linear'; Out = 'output' }                         # 144 -> 2: 290 parameters
            ) }
            """);
        var summary = NetworkFile.Load(file).Summarize([1, 6, 6], 2, 0, 3, "Adam");
        Assert.Equal(330, summary.ParameterCount);
        // 4 bytes x (330 x (1 + 1 + 2) + 3 x (36 input + 144 + 144 + 2)).
        Assert.Equal(4 * (330 * 4 + 3 * (36 + 144 + 144 + 2)), summary.TrainingStepBytes);
        Assert.Equal(4 * (330 * 2 + 3 * (36 + 144 + 144 + 2)), NetworkFile.Load(file).Summarize([1, 6, 6], 2, 0, 3, "SGD").TrainingStepBytes);
        Assert.Equal([40L, 0, 0, 290], summary.Layers.Select(l => l.Parameters));
    }

    [Fact]
    public void A_transposed_convolution_pads_each_axis_as_asked_and_gives_the_definitions_values_at_stride_1()
    {
        // TorchSharp's modules pad every axis like the first, and libtorch's stride-1 3D form is wrong for batches of 2.
        var padded = Write("up.json", """{ "Layers": [ { "Layer": "ConvTranspose", "Channels": 2, "Kernel": 3, "Stride": 2, "Padding": 1, "OutputPadding": [1, 0, 1] }, { "Layer": "Flatten" }, { "Layer": "Linear", "In": "auto", "Out": "output" } ] }""");
        var summary = NetworkFile.Load(padded).Summarize([1, 5, 6, 7], 2, 0, 1, "Adam");
        Assert.Equal("2x10x11x14", summary.Layers.First().OutputShape.ToString());

        var same = Write("same.json", """{ "Autoencoder": true, "Layers": [ { "Layer": "ConvTranspose", "Channels": 1, "Kernel": 3, "Padding": 1, "Bias": false } ] }""");
        manual_seed(2);
        using var network = NetworkFile.Load(same).Build([1, 4, 4, 4], 1, 0);
        using var scope = NewDisposeScope();
        var input = randn([2, 1, 4, 4, 4], generator: new Generator(9));
        var weight = network.parameters().Single();
        // The definition: every input voxel adds its value times the kernel, centred on it (padding 1 of kernel 3).
        var expected = zeros([2, 1, 6, 6, 6], dtype: ScalarType.Float64);
        var values = input.to(ScalarType.Float64);
        var kernel = weight.detach().to(ScalarType.Float64);
        for (var z = 0; z < 4; z++)
        for (var y = 0; y < 4; y++)
        for (var x = 0; x < 4; x++)
        {
            var contribution = values[.., 0, z, y, x].reshape(2, 1, 1, 1, 1) * kernel[0].unsqueeze(0);
            expected[.., .., z..(z + 3), y..(y + 3), x..(x + 3)] += contribution;
        }
        var actual = network.forward(input).to(ScalarType.Float64);
        Assert.True((actual - expected[.., .., 1..5, 1..5, 1..5]).abs().max().item<double>() < 1e-5);

        var uneven = Write("uneven.json", """{ "Layers": [ { "Layer": "ConvTranspose", "Channels": 2, "Kernel": 3, "Stride": [2, 1, 2] }, { "Layer": "Flatten" }, { "Layer": "Linear", "In": "auto", "Out": "output" } ] }""");
        var error = Assert.Throws<NetworkFileException>(() => NetworkFile.Load(uneven).Build([1, 4, 4, 4], 2, 0));
        Assert.Contains("Stride: a transposed convolution takes one Stride for every axis here (got 2, 1, 2)", error.Message);
    }

    [Fact]
    public void Residual_and_concatenation_connections_join_by_name_and_pass_gradients_back()
    {
        var file = Write("residual.psd1", """
            @{
                Name = 'residual'
                Blocks = @{
                    Residual = @{
                        Parameters = @{ Channels = 4 }
                        Layers = @(
                            @{ Layer = 'Conv'; Channels = '$Channels'; Kernel = 3; Padding = 1 }
                            @{ Layer = 'BatchNorm' }
                            @{ Layer = 'ReLU' }
                            @{ Layer = 'Conv'; Channels = '$Channels'; Kernel = 3; Padding = 1; Name = 'main' }
                            @{ Layer = 'Conv'; Input = 'input'; Channels = '$Channels'; Kernel = 1; Name = 'shortcut' }  # a projection of the block's input
                            @{ Layer = 'Add'; Input = 'shortcut'; From = 'main' }
                            @{ Layer = 'ReLU' }
                        )
                    }
                }
                Layers = @(
                    @{ Layer = 'Conv'; Channels = 3; Kernel = 3; Padding = 1; Name = 'stem' }
                    @{ Block = 'Residual'; Channels = 5; Name = 'res' }
                    @{ Layer = 'Concat'; From = 'stem', 'input' }    # 5 + 3 + 1 channels
                    @{ Layer = 'MaxPool'; Kernel = 2 }
                    @{ Layer = 'Flatten' }
                    @{ Layer = 'Linear'; In = 'auto'; Out = 'output' }
                )
            }
            """);
        var network = NetworkFile.Load(file);
        var summary = network.Summarize([1, 8, 8], 2, 0, 1, "Adam");
        Assert.Equal("5x8x8", summary.Layers.Single(l => l.Layer == "Add").OutputShape.ToString());
        Assert.Equal("9x8x8", summary.Layers.Single(l => l.Layer == "Concat").OutputShape.ToString());
        Assert.Equal("9x4x4", summary.Layers.Single(l => l.Layer == "MaxPool").OutputShape.ToString());

        manual_seed(3);
        using var model = network.Build([1, 8, 8], 2, 0);
        using var scope = NewDisposeScope();
        var input = randn([2, 1, 8, 8], generator: new Generator(4));
        var output = model.forward(input);
        Assert.Equal([2L, 2], output.shape);
        output.sum().backward();
        // Every parameter receives a gradient: the shortcut and the main path through Add, the stem through Concat too.
        foreach (var (name, parameter) in model.named_parameters())
        {
            Assert.True(parameter.grad is { } grad && grad.abs().sum().item<float>() > 0, $"{name} has no gradient: {string.Join(", ", model.named_parameters().Select(p => $"{p.name}={(p.parameter.grad is { } g ? g.abs().sum().item<float>() : -1)}"))}");
        }

        // Add: shortcut + main path; check it against the layers run by hand.
        model.eval();
        using var noGrad = no_grad();
        // Flattened names: convolutions.0 the stem, .1-.7 the block's seven layers, .8 Concat, .9 MaxPool; fc.0 Flatten, fc.1 Linear.
        var convolutions = model.named_children().Single(c => c.name == "convolutions").module.named_children().ToDictionary(c => c.name, c => (nn.Module<Tensor, Tensor>)c.module);
        var fc = model.named_children().Single(c => c.name == "fc").module.named_children().ToDictionary(c => c.name, c => (nn.Module<Tensor, Tensor>)c.module);
        Assert.Equal(10, convolutions.Count);
        var stem = convolutions["0"].forward(input);
        var main = convolutions["4"].forward(convolutions["3"].forward(convolutions["2"].forward(convolutions["1"].forward(stem))));
        var residual = nn.functional.relu(convolutions["5"].forward(stem) + main);
        var joined = cat([residual, stem, input], 1);
        var expected = fc["1"].forward(fc["0"].forward(convolutions["9"].forward(joined)));
        Assert.True(expected.allclose(model.forward(input), 1e-5, 1e-6));
    }

    [Fact]
    public void GradCam_takes_the_feature_maps_of_the_entries_before_the_first_Flatten()
    {
        manual_seed(5);
        using var model = NetworkFile.Load(Example).Build([1, 21, 26, 23], 2, 0);
        Assert.Equal(5, model.FeatureLayerCount);
        model.eval();
        using var scope = NewDisposeScope();
        var input = randn([1, 1, 21, 26, 23], generator: new Generator(6));
        using (no_grad())
        {
            var features = model.Features(input, 2);
            Assert.Equal([1L, 16, 6, 7, 6], features.shape);
            Assert.True(model.Head(features, 2).allclose(model.forward(input), 1e-5, 1e-6));
        }
        var map = SaliencyMaps.Compute(model, input, new SaliencySettings { Method = SaliencyMethod.GradCam, TargetNode = 1 }, classification: true);
        Assert.Equal([1L, 1, 21, 26, 23], map.shape);
        Assert.True(map.abs().sum().item<float>() > 0);
    }

    public static TheoryData<string, string, string[]> Mistakes() => new()
    {
        { "unknown layer", "@{ Layers = @( @{ Layer = 'Conv'; Channels = 2; Kernel = 3 }; @{ Layer = 'Relu6' } ) }",
            ["Layers[1]: unknown layer 'Relu6'; known kinds: Conv, Conv2d"] },
        { "wrong keyword", "@{ Layers = @( @{ Layer = 'Conv'; Channels = 2; Kernal = 3 } ) }",
            ["Layers[0] (Conv): unknown keyword 'Kernal'; Conv takes Layer, Name, Input, Channels, Kernel"] },
        { "wrong keyword in a block", "@{ Blocks = @{ B = @{ Layers = @( @{ Layer = 'BatchNorm'; Epsilon = 1 } ) } }; Layers = @( @{ Layer = 'Flatten' } ) }",
            ["Blocks.B.Layers[0] (BatchNorm): unknown keyword 'Epsilon'; BatchNorm takes Layer, Name, Input, Eps, Momentum"] },
        { "missing value", "@{ Layers = @( @{ Layer = 'Conv'; Channels = 2 } ) }",
            ["Layers[0] (Conv): Kernel is required"] },
        { "wrong type", "@{ Layers = @( @{ Layer = 'Conv'; Channels = 'eight'; Kernel = 3 } ) }",
            ["Layers[0] (Conv): Channels: expected a whole number of at least 1; got \"eight\""] },
        { "flat input to a convolution", "@{ Layers = @( @{ Layer = 'Flatten' }; @{ Layer = 'Conv'; Channels = 2; Kernel = 3; Name = 'late' } ) }",
            ["Layers[1] (Conv 'late'): Conv takes channels then 2 or 3 spatial axes but receives 64"] },
        { "2D layer on 3D maps", "@{ Layers = @( @{ Layer = 'Conv3d'; Channels = 2; Kernel = 1 }; @{ Layer = 'MaxPool2d'; Kernel = 2 } ) }",
            ["Layers[1] (MaxPool2d): MaxPool2d takes 2D maps (channels then 2 axes) but receives 2x4x4x4"] },
        { "kernel larger than the map", "@{ Layers = @( @{ Layer = 'Conv'; Channels = 2; Kernel = 9 } ) }",
            ["Layers[0] (Conv) cannot take an input of shape 1x4x4x4:"] },
        { "Linear on maps", "@{ Layers = @( @{ Layer = 'Linear'; Out = 'output' } ) }",
            ["Layers[0] (Linear): Linear takes flat features but receives 1x4x4x4: put a Flatten before it"] },
        { "Linear In that does not match", "@{ Layers = @( @{ Layer = 'Flatten' }; @{ Layer = 'Linear'; In = 10; Out = 'output' } ) }",
            ["Layers[1] (Linear): In = 10 but the layer receives 64 features"] },
        { "wrong output size", "@{ Layers = @( @{ Layer = 'Flatten' }; @{ Layer = 'Linear'; Out = 7 } ) }",
            ["ends with the task's 2 output(s)", "the last layer, Layers[1] (Linear), gives 7"] },
        { "autoencoder that changes the shape", "@{ Autoencoder = $true; Layers = @( @{ Layer = 'PadMaxPool' } ) }",
            ["an autoencoder gives back its input's shape 1x4x4x4, but the last layer, Layers[0] (PadMaxPool), gives 1x2x2x2"] },
        { "unknown name", "@{ Layers = @( @{ Layer = 'Conv'; Channels = 1; Kernel = 1; Name = 'a' }; @{ Layer = 'Add'; From = 'b' } ) }",
            ["Layers[1] (Add): unknown name 'b'; the top-level list names a before it, and 'input'"] },
        { "unknown name in a block", "@{ Blocks = @{ R = @{ Layers = @( @{ Layer = 'ReLU' }; @{ Layer = 'Add'; From = 'stem' } ) } }; Layers = @( @{ Layer = 'Identity'; Name = 'stem' }; @{ Block = 'R' } ) }",
            ["Layers[1] (block 'R'), its Layers[1] (Add): unknown name 'stem'; this block names no earlier layer before it, and 'input'"] },
        { "Add of different shapes", "@{ Layers = @( @{ Layer = 'Conv'; Channels = 3; Kernel = 1 }; @{ Layer = 'Add'; From = 'input' } ) }",
            ["Layers[1] (Add): Add needs equal shapes; it receives 3x4x4x4 and the input gives 1x4x4x4"] },
        { "Concat of different sizes", "@{ Layers = @( @{ Layer = 'MaxPool'; Kernel = 2 }; @{ Layer = 'Concat'; From = 'input' } ) }",
            ["Layers[1] (Concat): Concat joins maps along channels, so their other sizes must agree; it receives 1x2x2x2 and the input gives 1x4x4x4"] },
        { "unknown block", "@{ Layers = @( @{ Block = 'Res' } ) }",
            ["Layers[0]: unknown block 'Res'; the file defines no blocks"] },
        { "unknown block parameter", "@{ Blocks = @{ B = @{ Parameters = @{ Channels = 2 }; Layers = @( @{ Layer = 'Conv'; Channels = '$Channels'; Kernel = 1 } ) } }; Layers = @( @{ Block = 'B'; Width = 3 } ) }",
            ["Layers[0] (block 'B'): unknown keyword 'Width'; the block takes Channels, Name, Input, Repeat"] },
        { "undeclared parameter", "@{ Blocks = @{ B = @{ Layers = @( @{ Layer = 'Conv'; Channels = '$Width'; Kernel = 1 } ) } }; Layers = @( @{ Block = 'B' } ) }",
            ["Blocks.B.Layers[0] uses '$Width', which is not among the block's Parameters ()"] },
        { "Repeat lists of different lengths", "@{ Blocks = @{ B = @{ Parameters = @{ A = 1; C = 1 }; Layers = @( @{ Layer = 'Conv'; Channels = '$A'; Kernel = '$C' } ) } }; Layers = @( @{ Block = 'B'; Repeat = @{ A = 1, 2; C = 1, 1, 1 } } ) }",
            ["Layers[0] (block 'B'): every list of Repeat has one value per copy; 'C' has 3, another 2"] },
        { "a shape error in a block copy", "@{ Blocks = @{ B = @{ Parameters = @{ K = 1 }; Layers = @( @{ Layer = 'Conv'; Channels = 1; Kernel = '$K' } ) } }; Layers = @( @{ Block = 'B'; Repeat = @{ K = 1, 9 } } ) }",
            ["Layers[0] (block 'B', copy 2 of 2), its Layers[0] (Conv) cannot take an input of shape 1x4x4x4"] },
        { "duplicate name", "@{ Layers = @( @{ Layer = 'ReLU'; Name = 'a' }; @{ Layer = 'ReLU'; Name = 'A' } ) }",
            ["Layers[1]: the name 'A' is already given to an earlier layer"] },
        { "no layers", "@{ Name = 'empty' }", ["it needs Layers, a non-empty list of layers"] },
        { "unknown top-level key", "@{ Layer = @( @{ Layer = 'ReLU' } ) }", ["the file: unknown keyword 'Layer'; expected Name, Autoencoder, Blocks, Layers"] },
        { "syntax: unquoted string", "@{\n  Layers = @(\n    @{ Layer = ReLU }\n  )\n}", ["line 3: a value", "strings need quotes; found 'ReLU }'"] },
        { "syntax: a variable", "@{ Layers = $layers }", ["line 1: a value ($true, $false, $null, a number, a quoted string, @{...} or @(...)); a data file has no variables"] },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void A_mistake_is_an_error_naming_the_layer_and_what_was_expected(string mistake, string text, string[] expected)
    {
        var file = Write("mistake.psd1", text);
        var error = Assert.Throws<NetworkFileException>(() =>
        {
            using var network = NetworkFile.Load(file).Build([1, 4, 4, 4], 2, 0);
        });
        Assert.StartsWith($"Network file '{file}': ", error.Message);
        foreach (var part in expected)
        {
            Assert.True(error.Message.Contains(part, StringComparison.Ordinal), $"{mistake}: '{error.Message}' lacks '{part}'");
        }
    }

    [Fact]
    public void The_data_file_reader_reads_PowerShell_values_as_Import_PowerShellDataFile_does()
    {
        var node = PowerShellDataFile.Parse("""
            <# a block
               comment #>
            @{
                'quoted key' = 'it''s'; Double = "a ""b"" `t"   # comment
                List = 1, 2,
                    3
                Nested = @( @{ A = $true }; @{ B = $null }
                    -1.5e-3 )
                Grouped = (4, 5)
                Empty = @()
            }
            """, "test.psd1")!.AsObject();
        Assert.Equal("it's", node["quoted key"]!.GetValue<string>());
        Assert.Equal("a \"b\" \t", node["Double"]!.GetValue<string>());
        Assert.Equal([1L, 2, 3], node["List"]!.AsArray().Select(n => n!.GetValue<long>()));
        Assert.Equal(3, node["Nested"]!.AsArray().Count);
        Assert.True(node["Nested"]![0]!["A"]!.GetValue<bool>());
        Assert.Null(node["Nested"]![1]!["B"]);
        Assert.Equal(-1.5e-3, node["Nested"]![2]!.GetValue<double>());
        Assert.Equal([4L, 5], node["Grouped"]!.AsArray().Select(n => n!.GetValue<long>()));
        Assert.Empty(node["Empty"]!.AsArray());
        var duplicate = Assert.Throws<NetworkFileException>(() => PowerShellDataFile.Parse("@{ A = 1\n a = 2 }", "d.psd1"));
        Assert.Contains("line 2: a new key; 'a' is already in this hashtable", duplicate.Message);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_root, name);
        File.WriteAllText(path, text);
        return path;
    }
}
