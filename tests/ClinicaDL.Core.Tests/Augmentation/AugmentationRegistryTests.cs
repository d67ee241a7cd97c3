using ClinicaDL.Core.Augmentation;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Augmentation;

public sealed class AugmentationRegistryTests
{
    public AugmentationRegistryTests() => TorchNatives.EnsureLoaded();

    [Fact]
    public void Registers_each_augmentation_under_its_own_name_in_ClinicaDLs_order()
    {
        Assert.Equal(Augmentations.Names, AugmentationRegistry.Names);
        Assert.All(AugmentationRegistry.Names, name => Assert.Equal(name, AugmentationRegistry.Get(name).Name));
    }

    [Fact]
    public void Get_refuses_an_unknown_or_differently_cased_name_listing_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => AugmentationRegistry.Get("noise"));

        Assert.Equal($"Unknown data augmentation 'noise'; expected any of {string.Join(", ", AugmentationRegistry.Names)}.", error.Message);
        Assert.False(AugmentationRegistry.Exists("noise"));
    }

    [Fact]
    public void An_augmentation_refuses_another_ones_parameters()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Volume();

        var error = Assert.Throws<ArgumentException>(() => AugmentationRegistry.Get("Erasing").Apply(sample, new SmoothingParameters(0.5)));

        Assert.StartsWith("Erasing takes ErasingParameters, not SmoothingParameters.", error.Message);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(2)]
    public void Applying_the_same_parameters_twice_gives_the_same_sample(int dimensions)
    {
        using var scope = NewDisposeScope();
        var sample = dimensions == 3 ? AugmentationInputs.Volume() : AugmentationInputs.Slice();
        foreach (var name in AugmentationRegistry.Names)
        {
            var augmentation = AugmentationRegistry.Get(name);
            using var generator = new Generator(4);
            var parameters = augmentation.Draw(sample, generator);

            TensorAssert.Identical(augmentation.Apply(sample, parameters), augmentation.Apply(sample, parameters));
        }
    }
}
