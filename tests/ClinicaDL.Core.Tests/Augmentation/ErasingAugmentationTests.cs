using ClinicaDL.Core.Augmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Augmentation;

public sealed class ErasingAugmentationTests
{
    private readonly ErasingAugmentation _erasing = new();

    public ErasingAugmentationTests() => TorchNatives.EnsureLoaded();

    [Fact]
    public void Apply_zeroes_exactly_the_rectangle_on_the_last_two_axes_through_the_leading_ones()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Volume() + 1;

        var erased = _erasing.Apply(sample, new ErasingParameters(Top: 2, Left: 3, Height: 4, Width: 5));

        var expected = sample.clone();
        for (var row = 2; row < 6; row++)
        {
            for (var column = 3; column < 8; column++)
            {
                expected[TensorIndex.Colon, TensorIndex.Colon, row, column] = 0;
            }
        }
        TensorAssert.Identical(expected, erased);
        Assert.Equal(18 * 4 * 5, erased.eq(0).sum().item<long>());
    }

    [Fact]
    public void Apply_without_a_rectangle_leaves_the_sample_as_it_is()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Slice();

        TensorAssert.Identical(sample, _erasing.Apply(sample, ErasingParameters.None));
    }

    [Fact]
    public void Draw_erases_about_half_the_time_a_rectangle_inside_the_last_two_axes()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Volume();
        var erasedCount = 0;
        for (ulong seed = 1; seed <= 40; seed++)
        {
            using var generator = new Generator(seed);

            var parameters = _erasing.Draw(sample, generator);

            if (parameters.ErasesNothing)
            {
                continue;
            }
            erasedCount++;
            Assert.InRange(parameters.Top, 0, 17 - parameters.Height);
            Assert.InRange(parameters.Left, 0, 16 - parameters.Width);
            Assert.InRange(parameters.Height * parameters.Width, 1, 0.33 * 17 * 16 + parameters.Height + parameters.Width);
        }
        Assert.InRange(erasedCount, 10, 30);
    }

    [Fact]
    public void Parameters_read_as_a_log_line()
    {
        Assert.Equal("Erasing(rows 2-5, columns 3-7 of the last two axes)", new ErasingParameters(2, 3, 4, 5).ToString());
        Assert.Equal("Erasing(none)", ErasingParameters.None.ToString());
    }
}
