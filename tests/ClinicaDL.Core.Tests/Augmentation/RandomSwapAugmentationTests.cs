using ClinicaDL.Core.Augmentation;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Augmentation;

public sealed class RandomSwapAugmentationTests
{
    private readonly RandomSwapAugmentation _swap = new();

    public RandomSwapAugmentationTests() => TorchNatives.EnsureLoaded();

    [Fact]
    public void Apply_exchanges_the_two_patches_and_leaves_the_rest()
    {
        using var scope = NewDisposeScope();
        var sample = arange(64, dtype: ScalarType.Float32).reshape(1, 4, 4, 4);

        var swapped = _swap.Apply(sample, new RandomSwapParameters(2, [new PatchSwap([0, 0, 0], [2, 2, 2])]));

        var expected = sample.clone();
        expected[.., ..2, ..2, ..2] = sample[.., 2.., 2.., 2..];
        expected[.., 2.., 2.., 2..] = sample[.., ..2, ..2, ..2];
        TensorAssert.Identical(expected, swapped);
    }

    [Fact]
    public void Apply_swaps_in_order_so_that_a_swap_repeated_undoes_itself()
    {
        using var scope = NewDisposeScope();
        var sample = arange(36, dtype: ScalarType.Float32).reshape(1, 6, 6);
        var swap = new PatchSwap([0, 3], [3, 0]);

        var swapped = _swap.Apply(sample, new RandomSwapParameters(3, [swap]));
        var twice = _swap.Apply(sample, new RandomSwapParameters(3, [swap, swap]));

        TensorAssert.Identical(sample[.., 3.., ..3], swapped[.., ..3, 3..]);
        TensorAssert.Identical(sample[.., ..3, 3..], swapped[.., 3.., ..3]);
        TensorAssert.Identical(sample, twice);
    }

    [Fact]
    public void Draw_takes_100_swaps_of_15_voxel_patches_inside_the_sample()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Volume();
        using var generator = new Generator(2);

        var parameters = _swap.Draw(sample, generator);

        Assert.Equal(15, parameters.PatchSize);
        Assert.Equal(100, parameters.Swaps.Count);
        foreach (var corner in parameters.Swaps.SelectMany(s => new[] { s.First, s.Second }))
        {
            Assert.Equal(3, corner.Count);
            for (var axis = 0; axis < 3; axis++)
            {
                Assert.InRange(corner[axis], 0, sample.shape[axis + 1] - 15);
            }
        }
    }

    [Fact]
    public void Leaves_a_sample_smaller_than_a_patch_as_it_is_without_drawing()
    {
        using var scope = NewDisposeScope();
        var sample = zeros(1, 20, 14, 20);
        using var generator = new Generator(5);
        using var fresh = new Generator(5);

        var parameters = _swap.Draw(sample, generator);

        Assert.Same(RandomSwapParameters.None, parameters);
        TensorAssert.Identical(sample, _swap.Apply(sample, parameters));
        Assert.Equal(rand(1, generator: fresh, dtype: ScalarType.Float64).item<double>(), rand(1, generator: generator, dtype: ScalarType.Float64).item<double>());
    }

    [Fact]
    public void Parameters_read_as_a_log_line()
    {
        Assert.Equal("RandomSwap(patch_size=15, swaps=[[0,1,2]<->[3,4,5], [6,7,8]<->[0,0,0]])",
            new RandomSwapParameters(15, [new PatchSwap([0, 1, 2], [3, 4, 5]), new PatchSwap([6, 7, 8], [0, 0, 0])]).ToString());
        Assert.Equal("RandomSwap(none)", RandomSwapParameters.None.ToString());
    }
}
