using ClinicaDL.Core.Networks;
using ClinicaDL.Core.Runtime;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Networks;

/// <summary>
/// Networks with convolutions that leave oneDNN's channel blocks part filled (RandomArchitecture's 4-channel blocks,
/// with and without normalisation, by pooling and by stride) give the same output
/// and the same input gradient at every training pass with 2 threads: the input gradient flows through every
/// convolution's data gradient, where the uninitialised block padding was read (BlockAlignedConvolution). A network
/// that runs such a convolution outside NetworkLayers.Forward or BlockAlignedConvolution fails here.
/// </summary>
public sealed class NetworkGradientDeterminismTests
{
    public NetworkGradientDeterminismTests() => TorchNatives.EnsureLoaded();

    public static TheoryData<string?, string> Networks() => new()
    {
        { "BatchNorm", "MaxPooling" },
        { null, "stride" },
        { "InstanceNorm", "MaxPooling" },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void The_same_pass_gives_the_same_bits(string? normalization, string reduction)
    {
        using var threads = TorchRuntime.UseThreads(2);
        manual_seed(2);
        long[] shape = [1, 21, 26, 23];
        using var network = RandomArchitectureTests.Build(RandomArchitectureTests.Blocks(reduction, (4, 1), (4, 2), (12, 1)), 2, shape, normalization, 2, 0.0);
        network.train();
        using var input = randn([2, .. shape]);

        var passes = Enumerable.Range(0, 10).Select(_ =>
        {
            using var scope = NewDisposeScope();
            network.zero_grad();
            var x = input.clone().requires_grad_(true);
            var output = network.forward(x);
            using var generator = new Generator(7);
            using var weights = randn(output.shape, generator: generator);
            (output * weights).sum().backward();
            return (Output: output.detach().data<float>().ToArray(), Gradient: x.grad!.data<float>().ToArray());
        }).ToList();

        Assert.All(passes, p => Assert.Equal(passes[0].Output, p.Output));
        Assert.All(passes, p => Assert.Equal(passes[0].Gradient, p.Gradient));
        Assert.All(passes[0].Gradient, g => Assert.True(float.IsFinite(g)));
    }
}
