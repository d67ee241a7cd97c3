using ClinicaDL.Core.Augmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Augmentation;

public sealed class CropPadAugmentationTests
{
    private readonly CropPadAugmentation _cropPad = new();

    public CropPadAugmentationTests() => TorchNatives.EnsureLoaded();

    [Fact]
    public void Apply_moves_each_voxel_by_the_shifts_and_fills_what_it_leaves_with_zeros()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Volume() + 1;

        var shifted = _cropPad.Apply(sample, new CropPadParameters([2, -1, 3]));

        Assert.Equal(sample.shape, shifted.shape);
        Assert.Equal(sample[0, 3, 6, 2].item<float>(), shifted[0, 5, 5, 5].item<float>());
        TensorAssert.Identical(sample[.., ..^2, 1.., ..^3], shifted[.., 2.., ..^1, 3..]);
        Assert.Equal(0, shifted[.., ..2].abs().sum().item<float>());
        Assert.Equal(0, shifted[.., .., -1].abs().sum().item<float>());
        Assert.Equal(0, shifted[.., .., .., ..3].abs().sum().item<float>());
    }

    [Fact]
    public void Apply_shifts_a_slice_along_its_two_axes()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Slice() + 1;

        var shifted = _cropPad.Apply(sample, new CropPadParameters([-4, 0]));

        TensorAssert.Identical(sample[.., 4..], shifted[.., ..^4]);
        Assert.Equal(0, shifted[.., ^4..].abs().sum().item<float>());
    }

    [Fact]
    public void Draw_takes_one_shift_of_at_most_10_voxels_per_spatial_axis()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Volume();
        var shifts = new List<long>();
        for (ulong seed = 1; seed <= 30; seed++)
        {
            using var generator = new Generator(seed);

            var parameters = _cropPad.Draw(sample, generator);

            Assert.Equal(3, parameters.Shifts.Count);
            shifts.AddRange(parameters.Shifts);
        }
        Assert.All(shifts, shift => Assert.InRange(shift, -10, 10));
        Assert.Contains(shifts, shift => shift < 0);
        Assert.Contains(shifts, shift => shift > 0);
    }

    [Fact]
    public void Parameters_read_as_a_log_line()
    {
        Assert.Equal("CropPad(shifts=[2, -1, 3] voxels)", new CropPadParameters([2, -1, 3]).ToString());
    }
}
