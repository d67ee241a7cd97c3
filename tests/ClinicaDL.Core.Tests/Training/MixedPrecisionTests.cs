using ClinicaDL.Core.Networks;
using ClinicaDL.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Training;

/// <summary>
/// Mixed precision by a low-precision twin of the network: the arithmetic autocast would do (convolutions and
/// linear layers low, normalisation and loss in float32, float32 master weights), gradients close to float32's,
/// and loss scaling for float16. These run the twin on any CPU; the refusal of CPUs without bfloat16 arithmetic
/// applies to training runs only.
/// </summary>
public sealed class MixedPrecisionTests
{
    private static readonly long[] Shape = [1, 24, 28, 24];

    public MixedPrecisionTests() => TorchNatives.EnsureLoaded();

    private static bool Same(Tensor a, Tensor b)
    {
        using var equal = a.equal(b);
        using var all = equal.all();
        return all.item<bool>();
    }

    private static nn.Module<Tensor, Tensor> Network() => NetworkRegistry.Create("Conv5_FC3", Shape, 2, dropout: 0);

    [Fact]
    public void The_twin_computes_convolutions_and_linear_layers_in_bfloat16_and_normalisation_in_float32()
    {
        manual_seed(3);
        using var master = Network();
        using var precision = MixedPrecision.Create(master, Network, CPU, ScalarType.BFloat16);
        var types = precision.Twin.named_parameters().ToDictionary(p => p.name, p => p.parameter.dtype);
        Assert.Equal(ScalarType.BFloat16, types["convolutions.0.weight"]);
        Assert.Equal(ScalarType.Float32, types["convolutions.1.weight"]);
        Assert.Equal(ScalarType.BFloat16, types["fc.2.weight"]);
        Assert.All(master.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.Equal(ScalarType.Float32, precision.Twin.named_buffers().Single(b => b.name == "convolutions.1.running_var").buffer.dtype);

        using var scope = NewDisposeScope();
        var input = randn([2, .. Shape]);
        master.eval();
        precision.eval();
        var low = precision.forward(input);
        var full = master.forward(input);
        Assert.Equal(ScalarType.Float32, low.dtype);
        // bfloat16 keeps 8 significant bits: outputs agree to a few percent of their spread.
        var error = (low - full).abs().max().item<float>() / full.abs().max().item<float>();
        Assert.InRange(error, 0, 0.05);
    }

    [Fact]
    public void Building_the_twin_leaves_torchs_generator_where_it_was()
    {
        manual_seed(5);
        using var master = Network();
        using var state = random.get_rng_state();
        using var expected = rand(4);
        random.set_rng_state(state);
        using var precision = MixedPrecision.Create(master, Network, CPU, ScalarType.BFloat16);
        using var drawn = rand(4);
        Assert.True(Same(drawn, expected));
    }

    [Fact]
    public void Gradients_reach_the_float32_master_close_to_float32_ones_and_a_step_updates_both_networks()
    {
        manual_seed(7);
        using var master = Network();
        using var reference = Network();
        reference.load_state_dict(master.state_dict());
        using var precision = MixedPrecision.Create(master, Network, CPU, ScalarType.BFloat16);
        using var scope = NewDisposeScope();
        var input = randn([2, .. Shape]);
        var target = tensor(new long[] { 0, 1 });
        reference.train();
        nn.functional.cross_entropy(reference.forward(input), target).backward();
        precision.train();
        precision.Backward(nn.functional.cross_entropy(precision.forward(input), target));

        var expected = reference.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
        var cosines = new List<(string Name, float Cosine)>();
        foreach (var (name, parameter) in master.named_parameters())
        {
            var gradient = parameter.grad!;
            Assert.Equal(ScalarType.Float32, gradient.dtype);
            // A convolution's bias before a BatchNorm has no gradient in exact arithmetic (the normalisation
            // removes it): float32 gives rounding noise of 1e-8 there, nothing to compare with.
            if (expected[name].norm().item<float>() > 1e-4)
            {
                cosines.Add((name, nn.functional.cosine_similarity(gradient.flatten(), expected[name].flatten(), 0).item<float>()));
            }
        }
        Assert.Equal(21, cosines.Count);
        // Measured on this tiny random network: 0.92 to 1.00 (a wrong hand-over, scale or pairing gives about 0).
        Assert.All(cosines, c => Assert.True(c.Cosine > 0.9, $"{c.Name}: cosine {c.Cosine} with float32's gradient"));
        // The twin's statistics went back to the master, which is what is saved.
        var masterMean = master.named_buffers().Single(b => b.name == "convolutions.1.running_mean").buffer;
        Assert.True(masterMean.abs().sum().item<float>() > 0);
        Assert.True(Same(masterMean, precision.Twin.named_buffers().Single(b => b.name == "convolutions.1.running_mean").buffer));

        using var optimizer = optim.Adam(master.parameters(), 1e-3);
        Assert.True(precision.Step(optimizer));
        var twinWeights = precision.Twin.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in master.named_parameters())
        {
            Assert.True(Same(twinWeights[name], parameter.to(twinWeights[name].dtype)), $"{name}: the twin holds the stepped master weights");
        }
        // The twin's gradients were handed over: a second backward pass does not add the first one again.
        Assert.All(precision.Twin.parameters(), p => Assert.Equal(0, p.grad!.count_nonzero().item<long>()));
    }

    [Fact]
    public void Float16_scales_the_loss_and_skips_a_step_whose_gradients_overflowed()
    {
        manual_seed(11);
        var shape = new long[] { 1, 16, 16 };
        nn.Module<Tensor, Tensor> Small() => NetworkRegistry.Create("Conv5_FC3", shape, 2, dropout: 0);
        using var master = Small();
        using var precision = MixedPrecision.Create(master, Small, CPU, ScalarType.Float16);
        Assert.NotNull(precision.Scaler);
        using var optimizer = optim.SGD(master.parameters(), 0.1);
        using var before = master.named_parameters().First().parameter.clone();
        using var scope = NewDisposeScope();
        var input = randn([2, .. shape]);
        var target = tensor(new long[] { 0, 1 });
        precision.train();

        // A loss of 1e6 times 65536 overflows float16's largest value (65504) in the backward pass.
        using (var huge = 1e6.ToScalar())
        {
            precision.Backward(nn.functional.cross_entropy(precision.forward(input), target).mul(huge));
        }
        Assert.False(precision.Step(optimizer));
        Assert.Equal(GradientScaler.InitialScale * GradientScaler.BackoffFactor, precision.Scaler!.Scale);
        Assert.True(Same(master.named_parameters().First().parameter, before));
        optimizer.zero_grad();

        precision.Backward(nn.functional.cross_entropy(precision.forward(input), target));
        Assert.True(precision.Step(optimizer));
        Assert.False(Same(master.named_parameters().First().parameter, before));
        // Unscaled: the master's gradient is the loss's, not 32768 times it.
        Assert.All(master.parameters(), p => Assert.True(p.grad!.abs().max().item<float>() < 100));
    }

    [Fact]
    public void The_loss_scale_doubles_after_2000_steps_without_overflow_and_resumes_from_its_state()
    {
        var scaler = new GradientScaler();
        for (var step = 0; step < GradientScaler.GrowthInterval - 1; step++)
        {
            Assert.True(scaler.Update(finiteGradients: true));
        }
        Assert.Equal(GradientScaler.InitialScale, scaler.Scale);
        var resumed = new GradientScaler();
        resumed.Restore(scaler.Save());
        Assert.True(resumed.Update(finiteGradients: true));
        Assert.Equal(GradientScaler.InitialScale * GradientScaler.GrowthFactor, resumed.Scale);
        Assert.Equal(0, resumed.StepsWithoutOverflow);
    }
}
