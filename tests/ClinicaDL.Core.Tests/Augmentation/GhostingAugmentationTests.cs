using ClinicaDL.Core.Augmentation;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Augmentation;

public sealed class GhostingAugmentationTests
{
    private readonly GhostingAugmentation _ghosting = new();

    public GhostingAugmentationTests() => TorchNatives.EnsureLoaded();

    [Fact]
    public void Apply_attenuates_every_nth_k_space_plane_of_the_axis_outside_the_centre()
    {
        using var scope = NewDisposeScope();
        // 1 + cos(2 pi 4 x / 20) along the first axis: in the centred k-space, plane 10 and planes 6 and 14, all even.
        var wave = (cos(arange(20, dtype: ScalarType.Float64) * (2 * Math.PI * 4 / 20)) + 1).to(ScalarType.Float32);
        var sample = wave.reshape(1, 20, 1).expand(1, 20, 18).contiguous();

        var ghosted = _ghosting.Apply(sample, new GhostingParameters(Ghosts: 2, Intensity: 0.75, Axis: 1));

        // Planes 6 and 14 keep a quarter; plane 10, the centre, is kept intact.
        var expected = (cos(arange(20, dtype: ScalarType.Float64) * (2 * Math.PI * 4 / 20)) * 0.25 + 1).to(ScalarType.Float32).reshape(1, 20, 1).expand(1, 20, 18);
        TensorAssert.Close(expected, ghosted, 1e-5);
    }

    [Fact]
    public void Apply_with_another_axis_leaves_a_wave_along_the_first_as_it_is()
    {
        using var scope = NewDisposeScope();
        var wave = (cos(arange(20, dtype: ScalarType.Float64) * (2 * Math.PI * 4 / 20)) + 1).to(ScalarType.Float32);
        var sample = wave.reshape(1, 20, 1).expand(1, 20, 18).contiguous();

        var ghosted = _ghosting.Apply(sample, new GhostingParameters(Ghosts: 2, Intensity: 0.75, Axis: 2));

        TensorAssert.Close(sample, ghosted, 1e-5);
    }

    [Fact]
    public void Apply_with_intensity_0_gives_the_image_back_through_the_k_space()
    {
        using var scope = NewDisposeScope();
        var sample = AugmentationInputs.Volume();

        TensorAssert.Close(sample, _ghosting.Apply(sample, new GhostingParameters(5, 0, 2)), 1e-5);
    }

    [Fact]
    public void Draw_takes_4_to_10_ghosts_an_intensity_of_0_5_to_1_and_a_spatial_axis()
    {
        using var scope = NewDisposeScope();
        var axes = new HashSet<int>();
        foreach (var sample in new[] { AugmentationInputs.Volume(), AugmentationInputs.Slice() })
        {
            for (ulong seed = 1; seed <= 20; seed++)
            {
                using var generator = new Generator(seed);

                var parameters = _ghosting.Draw(sample, generator);

                Assert.InRange(parameters.Ghosts, 4, 10);
                Assert.InRange(parameters.Intensity, 0.5, 1);
                Assert.InRange(parameters.Axis, 1, sample.dim() - 1);
                axes.Add(parameters.Axis);
            }
        }
        Assert.Equal([1, 2, 3], axes.Order());
    }

    [Fact]
    public void Parameters_read_as_a_log_line()
    {
        Assert.Equal("Ghosting(ghosts=6, intensity=0.75, axis=2)", new GhostingParameters(6, 0.75, 2).ToString());
    }
}
