using ClinicaDL.Core.Augmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Augmentation;

/// <summary>The entry points the trainer and the configuration use, on a phantom brain.</summary>
public sealed class AugmentationsTests(PhantomImageFixture phantom) : IClassFixture<PhantomImageFixture>
{
    public static TheoryData<string> Names => [.. Augmentations.Names];

    [Theory]
    [MemberData(nameof(Names))]
    public void Keeps_the_shape_repeats_with_a_seed_and_changes_the_image(string name)
    {
        using var scope = NewDisposeScope();
        // Erasing acts with probability 0.5 and Smoothing's sigma can be near 0: take the first seed that acts.
        var seed = Enumerable.Range(1, 20).FirstOrDefault(s => MeanDifference(Augment(name, s), phantom.Image) > 1e-3);
        Assert.True(seed > 0, $"{name} should change the image for some seed");

        var first = Augment(name, seed);
        var again = Augment(name, seed);

        Assert.Equal(phantom.Image.shape, first.shape);
        Assert.Equal(0, MeanDifference(first, again));
        var others = Enumerable.Range(1, 20).Where(s => s != seed).Select(s => MeanDifference(Augment(name, s), first));
        Assert.True(others.Max() > 0, "another seed gives another result");
        Assert.False(first.isnan().any().item<bool>());
    }

    [Fact]
    public void CropPad_moves_the_content_without_resampling_it()
    {
        using var scope = NewDisposeScope();

        var shifted = Augment("CropPad", 3);

        // The phantom's total intensity can only fall (what leaves the grid) and every kept value is an original one.
        Assert.True(shifted.sum().item<float>() <= phantom.Image.sum().item<float>() + 1e-3);
        Assert.True(shifted.max().item<float>() <= phantom.Image.max().item<float>());
    }

    [Fact]
    public void Refuses_an_unknown_augmentation_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => Augmentations.Validate(["Noise", "Flip"]));

        Assert.Contains("Unknown data augmentation(s) Flip", error.Message);
    }

    [Fact]
    public void Validate_drops_None_and_keeps_the_order()
    {
        Assert.Equal(["Motion", "Noise"], Augmentations.Validate(["None", "Motion", "Noise"]));
    }

    [Fact]
    public void Names_are_ClinicaDLs_in_its_order_and_match_exactly()
    {
        Assert.Equal(["Noise", "Erasing", "CropPad", "Smoothing", "Motion", "Ghosting", "Spike", "BiasField", "RandomBlur", "RandomSwap"], Augmentations.Names);
        Assert.Throws<ArgumentException>(() => Augmentations.Validate(["noise"]));
    }

    [Fact]
    public void ApplyOne_refuses_an_unknown_name_listing_the_known_ones()
    {
        using var generator = new Generator(1);

        var error = Assert.Throws<ArgumentException>(() => Augmentations.ApplyOne("Flip", phantom.Image, generator));

        Assert.Equal($"Unknown data augmentation 'Flip'; expected any of {string.Join(", ", Augmentations.Names)}.", error.Message);
    }

    [Fact]
    public void Apply_leaves_a_batch_as_it_is_without_augmentations_and_frees_what_it_made()
    {
        using var batch = phantom.Image.unsqueeze(0);
        using var generator = new Generator(1);
        using (var unchanged = Augmentations.Apply(batch, [], generator))
        {
            TensorAssert.Identical(batch, unchanged);
        }
        using (Augmentations.Apply(batch, Augmentations.Names, generator))
        {
        }
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        for (var i = 0; i < 3; i++)
        {
            using var augmented = Augmentations.Apply(batch, Augmentations.Names, generator);
        }

        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    private Tensor Augment(string name, int seed)
    {
        using var generator = new Generator((ulong)seed);
        return Augmentations.ApplyOne(name, phantom.Image, generator);
    }

    private static double MeanDifference(Tensor a, Tensor b) => (a - b).abs().mean().item<float>();
}
