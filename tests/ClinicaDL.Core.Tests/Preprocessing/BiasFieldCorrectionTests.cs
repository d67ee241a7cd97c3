using ClinicaDL.Core.Generation;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Preprocessing;
using TorchSharp;

namespace ClinicaDL.Core.Tests.Preprocessing;

public sealed class BiasFieldCorrectionTests
{
    private static readonly BiasFieldOptions Defaults = new();

    public BiasFieldCorrectionTests() => TorchNatives.EnsureLoaded();

    [Fact]
    public void Recovers_a_known_smooth_field_and_halves_the_white_matter_variation()
    {
        var phantom = BiasedPhantom.Render(voxelSize: 2, amplitude: 0.2, seed: 14);

        var result = BiasFieldCorrection.Correct(phantom.Image, null, Defaults);

        var inside = Inside(result.Mask);
        Assert.True(Correlation(result.Field.Values, phantom.Field.Values, inside) >= 0.9,
            $"field correlation {Correlation(result.Field.Values, phantom.Field.Values, inside):F3}");
        var before = Variation(phantom.Image.Values, phantom.WhiteMatter);
        var after = Variation(result.Corrected.Values, phantom.WhiteMatter);
        Assert.True(after <= 0.5 * before, $"white matter CV {before:F4} before, {after:F4} after");
        Assert.InRange(Mean(result.Field.Values, inside), 0.999, 1.001);
        Assert.All(result.Field.Values, value => Assert.True(value > 0));
    }

    [Fact]
    public void Leaves_an_image_without_a_field_nearly_flat()
    {
        var phantom = BiasedPhantom.Render(voxelSize: 2, amplitude: 0, seed: 15);

        var result = BiasFieldCorrection.Correct(phantom.Image, null, Defaults);

        var inside = Inside(result.Mask);
        var field = result.Field.Values.Where((_, i) => inside[i]).ToArray();
        Assert.InRange(field.Min(), 0.95, 1);
        Assert.InRange(field.Max(), 1, 1.05);
    }

    [Fact]
    public void Corrected_image_is_the_input_divided_by_the_field()
    {
        var phantom = BiasedPhantom.Render(voxelSize: 3, amplitude: 0.2, seed: 16);

        var result = BiasFieldCorrection.Correct(phantom.Image, null, Defaults);

        for (var i = 0; i < phantom.Image.VoxelCount; i += 97)
        {
            Assert.Equal(phantom.Image.Values[i] / result.Field.Values[i], result.Corrected.Values[i], 1e-3f);
        }
        Assert.True(result.Iterations >= Defaults.FittingLevels && result.Iterations <= Defaults.FittingLevels * Defaults.MaximumIterations);
    }

    [Fact]
    public void Same_input_and_threads_give_the_same_bits()
    {
        var phantom = BiasedPhantom.Render(voxelSize: 3, amplitude: 0.2, seed: 17);
        var options = new BiasFieldOptions { Threads = 2 };

        var first = BiasFieldCorrection.Correct(phantom.Image, null, options);
        var second = BiasFieldCorrection.Correct(phantom.Image, null, options);

        Assert.Equal(first.Field.Values, second.Field.Values);
        Assert.Equal(first.Corrected.Values, second.Corrected.Values);
        Assert.Equal(first.Iterations, second.Iterations);
    }

    [Fact]
    public void Leaves_no_live_tensor_behind()
    {
        var phantom = BiasedPhantom.Render(voxelSize: 3, amplitude: 0.2, seed: 18);
        BiasFieldCorrection.Correct(phantom.Image, null, Defaults);
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        BiasFieldCorrection.Correct(phantom.Image, null, Defaults);
        BiasFieldCorrection.Correct(phantom.Image, null, Defaults);

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Uses_a_given_mask_and_returns_it()
    {
        var phantom = BiasedPhantom.Render(voxelSize: 3, amplitude: 0.2, seed: 19);
        var mask = phantom.Image.WithValues(phantom.WhiteMatter.Select(inside => inside ? 2f : 0f).ToArray());

        var result = BiasFieldCorrection.Correct(phantom.Image, mask, Defaults);

        Assert.Equal(phantom.WhiteMatter.Select(inside => inside ? 1f : 0f), result.Mask.Values);
        Assert.True(Variation(result.Corrected.Values, phantom.WhiteMatter) <= 0.5 * Variation(phantom.Image.Values, phantom.WhiteMatter));
    }

    [Fact]
    public void Refuses_an_empty_mask()
    {
        var phantom = BiasedPhantom.Render(voxelSize: 3, amplitude: 0.2, seed: 20);
        var empty = phantom.Image.WithValues(new float[phantom.Image.VoxelCount]);

        var error = Assert.Throws<PreprocessingException>(() => BiasFieldCorrection.Correct(phantom.Image, empty, Defaults));
        Assert.Contains("mask is empty", error.Message);
    }

    [Fact]
    public void Refuses_a_mask_on_another_grid()
    {
        var phantom = BiasedPhantom.Render(voxelSize: 3, amplitude: 0.2, seed: 20);
        var other = new Volume(new float[8], [2, 2, 2], phantom.Image.Affine);

        var error = Assert.Throws<PreprocessingException>(() => BiasFieldCorrection.Correct(phantom.Image, other, Defaults));
        Assert.Contains("2x2x2", error.Message);
    }

    [Fact]
    public void Refuses_a_constant_image()
    {
        var constant = new Volume(Enumerable.Repeat(42f, 20 * 20 * 20).ToArray(), [20, 20, 20], AffineMatrix.Identity);

        var error = Assert.Throws<PreprocessingException>(() => BiasFieldCorrection.Correct(constant, null, Defaults));
        Assert.Contains("one intensity (42)", error.Message);
        Assert.Throws<PreprocessingException>(() => ForegroundMask.Otsu(constant));
    }

    [Fact]
    public void Refuses_an_image_constant_inside_its_mask()
    {
        var values = Enumerable.Range(0, 20 * 20 * 20).Select(i => i % 20 < 10 ? 42f : 7f).ToArray();
        var image = new Volume(values, [20, 20, 20], AffineMatrix.Identity);
        var mask = image.WithValues(values.Select(v => v == 42f ? 1f : 0f).ToArray());

        var error = Assert.Throws<PreprocessingException>(() => BiasFieldCorrection.Correct(image, mask, Defaults));
        Assert.Contains("inside the mask", error.Message);
    }

    [Fact]
    public void Refuses_non_finite_voxels_naming_the_first()
    {
        var phantom = BiasedPhantom.Render(voxelSize: 3, amplitude: 0.2, seed: 21);
        var values = (float[])phantom.Image.Values.Clone();
        var (nx, ny) = (phantom.Image.Shape[0], phantom.Image.Shape[1]);
        values[3 + nx * (4 + ny * 5)] = float.NaN;
        values[values.Length - 1] = float.PositiveInfinity;

        var error = Assert.Throws<PreprocessingException>(() => BiasFieldCorrection.Correct(phantom.Image.WithValues(values), null, Defaults));
        Assert.Contains("2 of the image's", error.Message);
        Assert.Contains("(3, 4, 5)", error.Message);
    }

    [Fact]
    public void Stops_when_cancelled()
    {
        var phantom = BiasedPhantom.Render(voxelSize: 3, amplitude: 0.2, seed: 22);

        Assert.ThrowsAny<OperationCanceledException>(() => BiasFieldCorrection.Correct(phantom.Image, null, Defaults, new CancellationToken(canceled: true)));
    }

    [SkippableFact]
    public void Otsu_mask_of_the_real_head_covers_the_head_with_its_dark_inside_and_not_the_background()
    {
        var path = TestData.Path("t1w", "sub-chris_T1w.nii.gz");
        var nifti = NiftiReader.Read(path);
        var values = NiftiReader.ReadSingle(path, out _);
        var head = new Volume(values, nifti.Shape.ToArray(), nifti.Affine);

        var mask = ForegroundMask.Otsu(head).Values;

        var inside = mask.Select(v => v == 1).ToArray();
        Assert.All(mask, v => Assert.True(v is 0 or 1));
        var fraction = inside.Count(x => x) / (double)inside.Length;
        Assert.InRange(fraction, 0.2, 0.8);
        var sample = values.Where((_, i) => i % 16 == 0).ToArray();
        Array.Sort(sample);
        var bright = sample[(int)(0.9 * sample.Length)];
        var (brightCount, brightInside) = (0, 0);
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] >= bright)
            {
                brightCount++;
                brightInside += inside[i] ? 1 : 0;
            }
        }
        Assert.True(brightInside >= 0.99 * brightCount, $"{brightInside} of the {brightCount} brightest voxels (tissue) lie in the mask");
        var (nx, ny, nz) = (head.Shape[0], head.Shape[1], head.Shape[2]);
        Assert.True(inside[nx / 2 + nx * (ny / 2 + ny * (nz / 2))], "the centre of the head is in the mask");
        foreach (var (i, j) in new[] { (0, 0), (nx - 1, 0), (0, ny - 1), (nx - 1, ny - 1) })
        {
            Assert.False(inside[i + nx * (j + ny * (nz - 1))], $"top corner ({i}, {j}) is background");
        }
        var (central, centralInside) = (0, 0);
        for (var k = 35 * nz / 100; k < 65 * nz / 100; k++)
        {
            for (var j = 35 * ny / 100; j < 65 * ny / 100; j++)
            {
                for (var i = 35 * nx / 100; i < 65 * nx / 100; i++)
                {
                    central++;
                    centralInside += inside[i + nx * (j + ny * k)] ? 1 : 0;
                }
            }
        }
        Assert.True(centralInside == central, $"{central - centralInside} voxels of the central box (brain, with its dark ventricles and CSF) are left out");
        var outsideMean = Mean(values, inside.Select(x => !x).ToArray());
        var insideMean = Mean(values, inside);
        Assert.True(outsideMean < 0.1 * insideMean, $"background mean {outsideMean:F1} against {insideMean:F1} inside");
    }

    private static bool[] Inside(Volume mask) => mask.Values.Select(v => v == 1).ToArray();

    private static double Mean(float[] values, bool[] selected) => values.Where((_, i) => selected[i]).Average(v => (double)v);

    private static double Variation(float[] values, bool[] selected)
    {
        var chosen = values.Where((_, i) => selected[i]).Select(v => (double)v).ToArray();
        var mean = chosen.Average();
        return Math.Sqrt(chosen.Sum(v => (v - mean) * (v - mean)) / (chosen.Length - 1)) / mean;
    }

    private static double Correlation(float[] a, float[] b, bool[] selected)
    {
        var pairs = a.Select((v, i) => (X: (double)v, Y: (double)b[i])).Where((_, i) => selected[i]).ToArray();
        var (meanX, meanY) = (pairs.Average(p => p.X), pairs.Average(p => p.Y));
        var covariance = pairs.Sum(p => (p.X - meanX) * (p.Y - meanY));
        var varianceX = pairs.Sum(p => (p.X - meanX) * (p.X - meanX));
        var varianceY = pairs.Sum(p => (p.Y - meanY) * (p.Y - meanY));
        return covariance / Math.Sqrt(varianceX * varianceY);
    }
}
