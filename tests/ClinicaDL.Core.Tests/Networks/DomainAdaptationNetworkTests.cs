using ClinicaDL.Core.Networks;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Networks;

/// <summary>
/// Conv5_FC3_SSDA against ClinicaDL 1.6.1's own class: its parameter counts, state-dict names and shapes, forward
/// shapes, and the gradient reversal layer's backward. The numbers were read off ClinicaDL's Conv5_FC3_SSDA built
/// from the v1.6.1 source (clinicadl/utils/network) with Debian 12's python3-torch 1.13.1 on 2026-11-28:
/// sum(p.numel() for p in Conv5_FC3_SSDA(shape, gpu=False, output_size=n, dropout=0.5).parameters()), and
/// ReverseLayerF.apply(ones(3), 0.25).sum().backward() giving gradients of -0.25 (at 1x169x208x179 with 3 outputs it has
/// 126,292,629 parameters, not built here to spare the test half a gigabyte).
/// </summary>
public sealed class DomainAdaptationNetworkTests
{
    public DomainAdaptationNetworkTests() => TorchNatives.EnsureLoaded();

    public static TheoryData<long[], int, long> Counts() => new()
    {
        { [1, 57, 70, 60], 2, 6_484_476 },
        { [1, 57, 70, 60], 3, 6_484_629 },
        { [1, 64, 64], 2, 2_294_892 },
        { [1, 40, 48, 40], 2, 4_487_676 },
        { [3, 208, 179], 2, 21_264_636 },
        { [1, 169, 208, 179], 2, 126_292_476 },
    };

    [Theory]
    [MemberData(nameof(Counts))]
    public void Has_the_parameters_of_ClinicaDL_s_Conv5_FC3_SSDA(long[] shape, int outputs, long expected)
    {
        using var net = NetworkRegistry.Create("Conv5_FC3_SSDA", shape, outputs, 0.5);

        Assert.Equal(expected, net.parameters().Sum(p => p.numel()));
        // Conv5_FC3's convolutions and three heads of its FC shape: ParameterCountTests' formula agrees.
        var convolutions = ParameterFormulas.ConvolutionBlocks(shape[0], shape.Length - 1);
        Assert.Equal(expected, convolutions + 3 * (ParameterFormulas.Conv5FC3(shape, outputs) - convolutions));
    }

    [Fact]
    public void Carries_ClinicaDL_s_state_dict_names_and_shapes()
    {
        using var net = NetworkRegistry.Create("Conv5_FC3_SSDA", [1, 40, 48, 40], 2, 0.5);
        var ours = net.state_dict().Select(p => $"{p.Key}:{string.Join("x", p.Value.shape)}").ToList();

        // ClinicaDL's 53 entries (Conv5_FC3's convolutions, then fc_class_source, fc_class_target, fc_domain); the order does not matter to load_state_dict.
        var expected = new List<string>();
        foreach (var (index, channels, input) in new[] { (0, 8, 1), (4, 16, 8), (8, 32, 16), (12, 64, 32), (16, 128, 64) })
        {
            expected.Add($"convolutions.{index}.weight:{channels}x{input}x3x3x3");
            expected.Add($"convolutions.{index}.bias:{channels}");
            foreach (var buffer in new[] { "weight", "bias", "running_mean", "running_var" })
            {
                expected.Add($"convolutions.{index + 1}.{buffer}:{channels}");
            }
            expected.Add($"convolutions.{index + 1}.num_batches_tracked:");
        }
        foreach (var head in new[] { "fc_class_source", "fc_class_target", "fc_domain" })
        {
            expected.AddRange([$"{head}.2.weight:1300x1024", $"{head}.2.bias:1300", $"{head}.4.weight:50x1300", $"{head}.4.bias:50", $"{head}.6.weight:2x50", $"{head}.6.bias:2"]);
        }
        Assert.Equal(53, ours.Count);
        Assert.Equal(expected.Order(StringComparer.Ordinal), ours.Order(StringComparer.Ordinal));
        Assert.Null(NetworkRegistry.ClinicaDlMismatch("Conv5_FC3_SSDA", [1, 40, 48, 40]));
    }

    [Fact]
    public void Gives_three_outputs_of_the_class_count_and_forward_is_the_chosen_classifier()
    {
        using var scope = NewDisposeScope();
        using var net = (DomainAdaptationNetwork)NetworkRegistry.Create("Conv5_FC3_SSDA", [1, 40, 48, 40], 3, 0.0);
        net.eval();
        manual_seed(1);
        var input = randn([2, 1, 40, 48, 40]);

        var (source, target, domain) = net.Outputs(input, 0.5);

        Assert.Equal([2L, 3], source.shape);
        Assert.Equal([2L, 3], target.shape);
        Assert.Equal([2L, 3], domain.shape);
        Assert.Equal(target.data<float>().ToArray(), net.forward(input).data<float>().ToArray());
        net.PredictionHead = DomainAdaptationHead.Source;
        Assert.Equal(source.data<float>().ToArray(), net.forward(input).data<float>().ToArray());
        Assert.NotEqual(source.data<float>().ToArray(), target.data<float>().ToArray());

        // Grad-CAM's split after six layers (one pooling, the second BatchNorm) gives the chosen classifier's output.
        var features = net.Features(input, 6);
        Assert.Equal([2L, 16, 20, 24, 20], features.shape);
        Assert.Equal(source.data<float>().ToArray(), net.Head(features, 6).data<float>().ToArray());
    }

    [Fact]
    public void The_reversal_layer_keeps_the_values_and_multiplies_the_gradient_by_minus_alpha()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var x = randn(5).requires_grad_(true);

        var y = DomainAdaptationNetwork.ReverseGradient(x, 0.25);
        y.sum().backward();

        Assert.Equal(x.data<float>().ToArray(), y.data<float>().ToArray());
        Assert.All(x.grad!.data<float>().ToArray(), g => Assert.Equal(-0.25f, g));
    }
}
