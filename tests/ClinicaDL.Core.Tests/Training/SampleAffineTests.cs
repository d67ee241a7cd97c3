using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Tests.Training;

public sealed class SampleAffineTests
{
    private static readonly AffineMatrix Source = new(new double[,] { { -1, 0, 0, 84 }, { 0, 1, 0, -120 }, { 0, 0, 1, -80 }, { 0, 0, 0, 1 } });

    [Fact]
    public void IsTheSourceAffineWithoutSizeReduction()
    {
        Assert.Equal(Source, ImageTensors.SampleAffine(Source, TrainingConfig.Build(null, new Dictionary<string, object?>())));
    }

    [Fact]
    public void MapsASampleVoxelToTheSourceVoxelSizeReductionKept()
    {
        // Factor 3 keeps x from 0, y from 8, z from 4, every third voxel: sample voxel (1, 1, 1) is source (3, 11, 7).
        var config = TrainingConfig.Build(null, new Dictionary<string, object?> { ["size_reduction"] = true, ["size_reduction_factor"] = 3 });
        var affine = ImageTensors.SampleAffine(Source, config);
        double[] sample = [1, 1, 1, 1];
        double[] source = [3, 11, 7, 1];
        for (var row = 0; row < 3; row++)
        {
            var viaSample = Enumerable.Range(0, 4).Sum(c => affine[row, c] * sample[c]);
            var viaSource = Enumerable.Range(0, 4).Sum(c => Source[row, c] * source[c]);
            Assert.Equal(viaSource, viaSample, 9);
        }
    }
}
