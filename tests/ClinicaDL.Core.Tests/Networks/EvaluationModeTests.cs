using ClinicaDL.Core.Networks;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Networks;

/// <summary>
/// Prediction and interpretation run the networks in evaluation mode: BatchNorm then normalises with its running
/// statistics and leaves them as they are, and dropout is off, so an image's output is the same every time and
/// does not depend on the other images of its batch.
/// </summary>
public sealed class EvaluationModeTests
{
    public EvaluationModeTests() => TorchNatives.EnsureLoaded();

    public static TheoryData<string, long[]> Networks() => new()
    {
        { "Conv5_FC3", [1, 21, 26, 23] },
        { "Conv4_FC3", [1, 33, 40] },
        { "Stride_Conv5_FC3", [1, 21, 26, 23] },
        { "resnet18", [3, 57, 70] },
        { "AE_Conv5_FC3", [1, 21, 26, 23] },
        { "AE_Conv4_FC3", [1, 33, 40] },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Gives_the_same_output_twice_and_leaves_the_running_statistics_alone(string name, long[] sampleShape)
    {
        manual_seed(5);
        using var net = NetworkRegistry.Create(name, sampleShape, 2, 0.5);
        using var scope = NewDisposeScope();
        var input = randn([3, .. sampleShape]);
        // A few training steps first, so that the running statistics are no longer their initial 0 and 1.
        using (no_grad())
        {
            net.forward(input * 2 + 1);
        }
        net.eval();
        var statistics = Buffers(net);

        using var noGrad = no_grad();
        var first = net.forward(input);
        var second = net.forward(input);

        Assert.True(first.equal(second).all().item<bool>(), $"{name}: the outputs differ by up to {(first - second).abs().max().item<float>()}");
        var after = Buffers(net);
        Assert.Equal(statistics.Keys, after.Keys);
        Assert.All(statistics, entry => Assert.True(entry.Value.equal(after[entry.Key]).all().item<bool>(), $"{name}: {entry.Key} changed in evaluation mode"));
        // An image's output is its own: the same alone as among others.
        var alone = net.forward(input[..1]);
        var scale = first.abs().max().item<float>();
        Assert.True((alone - first[..1]).abs().max().item<float>() <= 1e-5 * scale + 1e-6, $"{name}: the first image's output depends on its batch");
    }

    [Fact]
    public void The_statistics_check_sees_a_training_forward_pass()
    {
        using var net = NetworkRegistry.Create("Conv5_FC3", [1, 21, 26, 23], 2, 0.0);
        using var scope = NewDisposeScope();
        var statistics = Buffers(net);

        using (no_grad())
        {
            net.forward(randn([2, 1, 21, 26, 23]) + 3);
        }

        Assert.False(statistics["convolutions.1.running_mean"].equal(Buffers(net)["convolutions.1.running_mean"]).all().item<bool>());
    }

    /// <summary>Copies of every buffer (BatchNorm's running mean, variance and batch count).</summary>
    private static Dictionary<string, Tensor> Buffers(nn.Module net) =>
        net.named_buffers().ToDictionary(b => b.name, b => b.buffer.clone());
}
