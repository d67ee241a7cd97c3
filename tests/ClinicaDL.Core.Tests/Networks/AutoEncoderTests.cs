using ClinicaDL.Core.Networks;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Networks;

public sealed class AutoEncoderTests
{
    public AutoEncoderTests() => TorchNatives.EnsureLoaded();

    [Theory]
    [InlineData(new long[] { 1, 21, 26, 23 })]
    [InlineData(new long[] { 1, 33, 40 })]
    public void AE_Conv5_FC3_gives_back_the_inputs_shape_under_clinicadls_layer_names(long[] sampleShape)
    {
        manual_seed(2);
        using var net = NetworkRegistry.Create("AE_Conv5_FC3", sampleShape, 1, 0.0);
        using var scope = NewDisposeScope();
        var input = rand([2, .. sampleShape]);

        var output = net.forward(input);

        Assert.Equal([2, .. sampleShape], output.shape);
        output.sum().backward();
        Assert.All(net.parameters(), p => Assert.NotNull(p.grad));
        var state = net.state_dict();
        foreach (var name in new[] { "encoder.0.weight", "encoder.1.running_var", "encoder.16.weight", "decoder.1.weight", "decoder.2.weight", "decoder.17.weight", "decoder.18.weight" })
        {
            Assert.Contains(name, state.Keys);
        }
        // The last transposed convolution maps 8 channels back to the input's 1.
        Assert.Equal([8L, 1], state["decoder.17.weight"].shape[..2]);
    }

    [Fact]
    public void CAE_half_takes_1x80x96x80_images_through_a_latent_code_of_latent_space_size()
    {
        using var net = NetworkRegistry.Create("CAE_half", [1, 80, 96, 80], 1, 0.0, 64);
        using var scope = NewDisposeScope();
        var state = net.state_dict();

        Assert.Equal([64L, 153600], state["encoder.4.weight"].shape);
        Assert.Equal([307200L, 64], state["decoder.0.weight"].shape);
        Assert.Contains("encoder.0.layer.0.weight", state.Keys);
        net.eval();
        Assert.Equal([1L, 1, 80, 96, 80], net.forward(rand([1, 1, 80, 96, 80])).shape);
    }
}
