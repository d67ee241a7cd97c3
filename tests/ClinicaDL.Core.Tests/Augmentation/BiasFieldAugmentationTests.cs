using ClinicaDL.Core.Augmentation;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Augmentation;

public sealed class BiasFieldAugmentationTests
{
    private readonly BiasFieldAugmentation _biasField = new();

    public BiasFieldAugmentationTests() => TorchNatives.EnsureLoaded();

    [Fact]
    public void Apply_without_terms_leaves_the_sample_as_it_is()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Volume();

        TensorAssert.Close(sample, _biasField.Apply(sample, new BiasFieldParameters([])), 1e-6);
    }

    [Fact]
    public void Apply_multiplies_by_exp_of_a_constant_term()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Volume();

        var biased = _biasField.Apply(sample, new BiasFieldParameters([new BiasFieldTerm([0, 0, 0], 0.3f)]));

        TensorAssert.Close(sample * Math.Exp(0.3f), biased, 1e-5);
    }

    [Fact]
    public void Apply_multiplies_by_exp_of_a_linear_term_from_minus_1_to_1_across_its_axis()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Volume();

        var biased = _biasField.Apply(sample, new BiasFieldParameters([new BiasFieldTerm([1, 0, 0], 0.4f)]));

        TensorAssert.Close(sample[.., 0] * Math.Exp(-0.4f), biased[.., 0], 1e-5);
        TensorAssert.Close(sample[.., ^1] * Math.Exp(0.4f), biased[.., ^1], 1e-5);
    }

    [Fact]
    public void Apply_biases_a_slice_along_its_axes()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Slice();

        var biased = _biasField.Apply(sample, new BiasFieldParameters([new BiasFieldTerm([0, 1], -0.2f)]));

        TensorAssert.Close(sample[.., .., 0] * Math.Exp(0.2f), biased[.., .., 0], 1e-5);
        TensorAssert.Close(sample[.., .., ^1] * Math.Exp(-0.2f), biased[.., .., ^1], 1e-5);
    }

    [Fact]
    public void Draw_takes_a_coefficient_under_0_5_for_each_term_of_order_at_most_3()
    {
        using var scope = NewDisposeScope();
        foreach (var (sample, terms) in new[] { (AugmentationInputs.Volume(), 20), (AugmentationInputs.Slice(), 10) })
        {
            using var generator = new Generator(7);

            var parameters = _biasField.Draw(sample, generator);

            Assert.Equal(terms, parameters.Terms.Count);
            Assert.Equal(terms, parameters.Terms.Select(t => string.Join(",", t.Powers)).Distinct().Count());
            Assert.All(parameters.Terms, term =>
            {
                Assert.Equal(sample.dim() - 1, term.Powers.Count);
                Assert.InRange(term.Powers.Sum(), 0, BiasFieldAugmentation.Order);
                Assert.InRange(term.Coefficient, -0.5f, 0.5f);
            });
        }
    }

    [Fact]
    public void Parameters_read_as_a_log_line()
    {
        var parameters = new BiasFieldParameters([new BiasFieldTerm([0, 0, 0], 0.25f), new BiasFieldTerm([1, 0, 2], -0.125f)]);

        Assert.Equal("BiasField(0.25 (powers 0,0,0); -0.125 (powers 1,0,2))", parameters.ToString());
    }
}
