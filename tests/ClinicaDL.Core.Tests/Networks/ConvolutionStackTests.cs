using ClinicaDL.Core.Networks;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Networks;

/// <summary>
/// The pooled networks compute their convolution stack in a faster order than the layer list reads
/// (ConvolutionalNetwork.Features); these tests hold it to the plain layer-by-layer forward pass, values and
/// gradients, on odd and even sizes so that PadMaxPool's padding is exercised.
/// </summary>
public sealed class ConvolutionStackTests
{
    public ConvolutionStackTests() => TorchNatives.EnsureLoaded();

    [Theory]
    [InlineData("Conv5_FC3", new long[] { 1, 21, 26, 23 })]
    [InlineData("Conv4_FC3", new long[] { 1, 33, 40, 35 })]
    [InlineData("Stride_Conv5_FC3", new long[] { 1, 33, 40, 35 })]
    [InlineData("Conv5_FC3", new long[] { 1, 64, 64 })]
    public void Gives_the_plain_forward_pass_values_and_gradients(string name, long[] sampleShape)
    {
        manual_seed(3);
        using var net = (ConvolutionalNetwork)NetworkRegistry.Create(name, sampleShape, 2, 0.0);
        using var scope = NewDisposeScope();
        var input = randn([2, .. sampleShape]);

        var fast = net.Features(input);
        fast.sum().backward();
        var fastGradients = net.Convolutions.parameters().Select(p => p.grad!.clone()).ToList();
        net.zero_grad();
        var plain = net.Convolutions.forward(input);
        plain.sum().backward();
        var plainGradients = net.Convolutions.parameters().Select(p => p.grad!).ToList();

        Assert.Equal(plain.shape, fast.shape);
        var valueScale = plain.abs().max().item<float>();
        Assert.True(valueScale > 0.1, $"output scale {valueScale}");
        var valueDifference = (fast - plain).abs().max().item<float>();
        Assert.True(valueDifference < 1e-5 * valueScale + 1e-5, $"values differ by {valueDifference} (scale {valueScale})");
        // Relative to the largest gradient: a convolution bias followed by BatchNorm has a gradient of zero up to
        // rounding, which no relative comparison of its own can use.
        var gradientScale = plainGradients.Max(g => g.abs().max().item<float>());
        var worst = fastGradients.Zip(plainGradients, (f, p) => (f - p).abs().max().item<float>() / gradientScale).Max();
        Assert.True(plainGradients.Count > 10, $"{plainGradients.Count} parameters");
        Assert.True(worst < 1e-5, $"worst relative gradient difference {worst}");
    }
}
