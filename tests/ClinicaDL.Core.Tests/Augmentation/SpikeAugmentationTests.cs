using ClinicaDL.Core.Augmentation;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Augmentation;

public sealed class SpikeAugmentationTests
{
    private readonly SpikeAugmentation _spike = new();

    public SpikeAugmentationTests() => TorchNatives.EnsureLoaded();

    [Fact]
    public void Apply_adds_a_stripe_of_intensity_times_the_spectrum_peak_at_the_position()
    {
        using var scope = NewDisposeScope();
        // A constant image's spectrum is its peak at the centre (4, 5, 6); the spike two planes from it along the last
        // axis adds 2 e^(2 pi i 2 z / 12): the magnitude image is |1 + 2 e^(i theta)| = sqrt(5 + 4 cos theta).
        var sample = ones(1, 8, 10, 12);

        var spiked = _spike.Apply(sample, new SpikeParameters(Intensity: 2, Position: [4, 5, 8]));

        var theta = arange(12, dtype: ScalarType.Float64) * (2 * Math.PI * 2 / 12);
        var expected = (cos(theta) * 4 + 5).sqrt().to(ScalarType.Float32).expand(1, 8, 10, 12);
        TensorAssert.Close(expected, spiked, 1e-5);
        Assert.Equal(3, spiked[0, 0, 0, 0].item<float>(), 1e-5);
    }

    [Fact]
    public void Draw_takes_an_intensity_of_1_to_3_and_a_position_5_to_45_percent_of_each_axis_from_the_centre()
    {
        using var scope = NewDisposeScope();
        var sample = zeros(1, 40, 60, 80);
        for (ulong seed = 1; seed <= 20; seed++)
        {
            using var generator = new Generator(seed);

            var parameters = _spike.Draw(sample, generator);

            Assert.InRange(parameters.Intensity, 1, 3);
            Assert.Equal(3, parameters.Position.Count);
            for (var axis = 0; axis < 3; axis++)
            {
                var size = sample.shape[axis + 1];
                Assert.InRange(Math.Abs(parameters.Position[axis] - size / 2), (long)(0.05 * size), (long)(0.45 * size));
            }
        }
    }

    [Fact]
    public void Parameters_read_as_a_log_line()
    {
        Assert.Equal("Spike(intensity=2.5, position=[4, 5, 8])", new SpikeParameters(2.5, [4, 5, 8]).ToString());
    }
}
