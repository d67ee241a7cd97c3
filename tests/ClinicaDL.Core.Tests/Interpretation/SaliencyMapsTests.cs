using ClinicaDL.Core.Interpretation;
using ClinicaDL.Core.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClinicaDL.Core.Tests.Interpretation;

/// <summary>
/// Saliency maps of tiny networks whose answer is known by hand: a linear score (its gradient is its weights), a
/// score of squared voxels (its gradient is twice the weights times the input), and a linear head over an average
/// pooled feature map (its Grad-CAM weights are the mean head weights of each channel).
/// </summary>
public sealed class SaliencyMapsTests
{
    public SaliencyMapsTests() => TorchNatives.EnsureLoaded();

    [Fact]
    public void Gradients_of_a_linear_score_are_the_target_nodes_weights_for_every_image()
    {
        long[] sample = [2, 3, 4];
        var weights = Weights(3, 24, seed: 1);
        using var model = Scores(weights, squared: false);
        using var scope = NewDisposeScope();
        var input = randn([2, .. sample], generator: new Generator(2));

        var map = SaliencyMaps.Compute(model, input, new SaliencySettings { Method = SaliencyMethod.Gradients, TargetNode = 1 }, classification: true);

        Assert.Equal([2, .. sample], map.shape);
        for (var b = 0; b < 2; b++)
        {
            // d(sum_i w_i x_i + bias) / dx_i = w_i, signed (no absolute value, as ClinicaDL's VanillaBackProp).
            AssertClose(weights[1], Values(map[b]), 1e-7);
        }
    }

    [Fact]
    public void Gradients_of_a_score_of_squared_voxels_are_twice_the_weights_times_each_images_own_input()
    {
        var weights = Weights(2, 2 * 5 * 4, seed: 3);
        using var model = Scores(weights, squared: true);
        using var scope = NewDisposeScope();
        var input = randn([3, 2, 5, 4], generator: new Generator(4));

        var map = SaliencyMaps.Compute(model, input, new SaliencySettings { Method = SaliencyMethod.Gradients, TargetNode = 0 }, classification: false);

        for (var b = 0; b < 3; b++)
        {
            var x = Values(input[b]);
            AssertClose(x.Select((v, i) => 2 * weights[0][i] * v).ToArray(), Values(map[b]), 1e-6);
        }
    }

    [Fact]
    public void SmoothGrad_without_noise_is_the_plain_gradient()
    {
        var weights = Weights(2, 3 * 6, seed: 5);
        using var model = Scores(weights, squared: true);
        using var scope = NewDisposeScope();
        var input = rand([2, 1, 3, 6], generator: new Generator(6));
        var settings = new SaliencySettings { Method = SaliencyMethod.SmoothGrad, TargetNode = 1, SmoothGradNoise = 0, SmoothGradSamples = 5 };

        var smooth = SaliencyMaps.Compute(model, input, settings, classification: false, noise: new Generator(7));
        var plain = SaliencyMaps.Compute(model, input, settings with { Method = SaliencyMethod.Gradients }, classification: false);

        AssertClose(Values(plain), Values(smooth), 1e-6);
    }

    [Fact]
    public void SmoothGrad_of_a_linear_score_is_its_weights_whatever_the_noise()
    {
        var weights = Weights(2, 4 * 4, seed: 8);
        using var model = Scores(weights, squared: false);
        using var scope = NewDisposeScope();
        var input = rand([1, 1, 4, 4], generator: new Generator(9));

        var map = SaliencyMaps.Compute(model, input, new SaliencySettings { Method = SaliencyMethod.SmoothGrad, SmoothGradNoise = 0.5, SmoothGradSamples = 8 }, classification: false, noise: new Generator(10));

        AssertClose(weights[0], Values(map[0]), 1e-6);
    }

    [Fact]
    public void SmoothGrad_averages_the_gradients_at_noisy_copies_whose_noise_scales_with_each_images_range()
    {
        var weights = Weights(1, 3 * 4, seed: 11);
        using var model = Scores(weights, squared: true);
        using var scope = NewDisposeScope();
        // Ranges 1 and 10: each image's noise is 0.2 of its own range.
        var input = stack([linspace(0, 1, 12).reshape(1, 3, 4), linspace(-5, 5, 12).reshape(1, 3, 4)]);
        const int samples = 4;
        const double noise = 0.2;
        var settings = new SaliencySettings { Method = SaliencyMethod.SmoothGrad, SmoothGradNoise = noise, SmoothGradSamples = samples };

        var map = SaliencyMaps.Compute(model, input, settings, classification: false, noise: new Generator(12));

        // The same draws again: one standard normal tensor of the batch's shape per noisy copy.
        var replay = new Generator(12);
        var draws = Enumerable.Range(0, samples).Select(_ => randn(input.shape, generator: replay)).ToArray();
        double[] ranges = [1, 10];
        for (var b = 0; b < 2; b++)
        {
            var x = Values(input[b]);
            var meanNoise = new double[x.Length];
            foreach (var draw in draws)
            {
                var values = Values(draw[b]);
                for (var i = 0; i < x.Length; i++)
                {
                    meanNoise[i] += values[i] * ranges[b] * noise / samples;
                }
            }
            // The mean of 2 w (x + noise) over the copies.
            AssertClose(x.Select((v, i) => 2 * weights[0][i] * (v + meanNoise[i])).ToArray(), Values(map[b]), 1e-5);
        }
    }

    [Fact]
    public void GradCam_weights_the_last_feature_map_by_its_mean_gradient_and_upsamples_it_with_aligned_corners()
    {
        var head = Weights(2, 3 * 2 * 2, seed: 13);
        using var model = new PooledLinear(head);
        using var scope = NewDisposeScope();
        var input = randn([2, 3, 4, 4], generator: new Generator(14));

        var map = SaliencyMaps.Compute(model, input, new SaliencySettings { Method = SaliencyMethod.GradCam, TargetNode = 1 }, classification: true);

        Assert.Equal([2L, 1, 4, 4], map.shape);
        for (var b = 0; b < 2; b++)
        {
            var x = Values(input[b]);
            // The feature map: each channel average pooled 2x2 to 2x2; the gradient of the score with respect to it is
            // the head's weights, so each channel's weight is the mean of its 4 head weights.
            var cam = new double[4];
            for (var c = 0; c < 3; c++)
            {
                var alpha = Enumerable.Range(0, 4).Average(k => head[1][c * 4 + k]);
                for (var i = 0; i < 2; i++)
                {
                    for (var j = 0; j < 2; j++)
                    {
                        var pooled = (x[c * 16 + 2 * i * 4 + 2 * j] + x[c * 16 + 2 * i * 4 + 2 * j + 1] + x[c * 16 + (2 * i + 1) * 4 + 2 * j] + x[c * 16 + (2 * i + 1) * 4 + 2 * j + 1]) / 4;
                        cam[2 * i + j] += alpha * pooled;
                    }
                }
            }
            // Bilinear from 2x2 to 4x4 with corners aligned: output row r samples input row r / 3.
            var expected = new double[16];
            for (var r = 0; r < 4; r++)
            {
                for (var s = 0; s < 4; s++)
                {
                    var (u, v) = (r / 3.0, s / 3.0);
                    expected[4 * r + s] = (1 - u) * (1 - v) * cam[0] + (1 - u) * v * cam[1] + u * (1 - v) * cam[2] + u * v * cam[3];
                }
            }
            AssertClose(expected, Values(map[b]), 1e-5);
        }
    }

    [Fact]
    public void GradCam_at_an_earlier_level_takes_that_levels_feature_map()
    {
        var head = Weights(2, 2 * 2 * 2, seed: 15);
        using var model = new PooledLinear(head);
        using var scope = NewDisposeScope();
        var input = randn([1, 2, 4, 4], generator: new Generator(16));

        var map = SaliencyMaps.Compute(model, input, new SaliencySettings { Method = SaliencyMethod.GradCam, TargetNode = 0, GradCamLevel = 1 }, classification: true);

        // After level 1 (the identity) the feature map is the input; each voxel reaches the score through the 2x2 average,
        // so its gradient is its pooled cell's head weight / 4, and a channel's mean gradient is its mean head weight / 4.
        var x = Values(input[0]);
        var expected = new double[16];
        for (var c = 0; c < 2; c++)
        {
            var alpha = Enumerable.Range(0, 4).Average(k => head[0][c * 4 + k]) / 4;
            for (var i = 0; i < 16; i++)
            {
                expected[i] += alpha * x[c * 16 + i];
            }
        }
        AssertClose(expected, Values(map[0]), 1e-6);
    }

    [Fact]
    public void GradCam_in_3D_averages_the_gradient_over_all_three_spatial_axes()
    {
        // A head whose weights change along width (the last axis) only: ClinicaDL 1.6 averages over dims 2 and 3
        // (depth and height) and would give each width position its own weight; the mean over all three gives one
        // weight per channel. Feature index: channel x 12 + depth x 4 + height x 2 + width.
        long[] sample = [2, 3, 2, 2];
        double[][] head = [[.. Enumerable.Range(0, 24).Select(i => (i / 12 == 0 ? 1.0 : -0.5) * (1 + 3 * (i % 2)))]];
        using var model = new PooledLinear(head, pooled: false);
        using var scope = NewDisposeScope();
        var input = randn([1, .. sample], generator: new Generator(17));

        var map = SaliencyMaps.Compute(model, input, new SaliencySettings { Method = SaliencyMethod.GradCam, TargetNode = 0 }, classification: false);

        Assert.Equal([1L, 1, 3, 2, 2], map.shape);
        var x = Values(input[0]);
        var expected = new double[12];
        for (var c = 0; c < 2; c++)
        {
            var alpha = head[0].Skip(c * 12).Take(12).Average();
            for (var i = 0; i < 12; i++)
            {
                expected[i] += alpha * x[c * 12 + i];
            }
        }
        AssertClose(expected, Values(map[0]), 1e-6);
    }

    [Fact]
    public void Occlusion_maps_each_cubes_share_of_a_linear_score_and_zero_where_the_model_looks_away()
    {
        // Two channels of 5x5; the score ignores columns 0-1 (the first column of 2-voxel cubes). Cubes of 2 tile the
        // image as 3x3 cells, the last row and column one voxel wide.
        var weights = Weights(1, 2 * 25, seed: 18);
        for (var c = 0; c < 2; c++)
        {
            for (var row = 0; row < 5; row++)
            {
                weights[0][c * 25 + row * 5] = 0;
                weights[0][c * 25 + row * 5 + 1] = 0;
            }
        }
        using var model = Scores(weights, squared: false);
        using var scope = NewDisposeScope();
        var input = rand([2, 2, 5, 5], generator: new Generator(19)) + 0.5;

        var map = SaliencyMaps.Compute(model, input, new SaliencySettings { Method = SaliencyMethod.Occlusion, OcclusionSize = 2 }, classification: false);

        Assert.Equal([2L, 1, 5, 5], map.shape);
        for (var b = 0; b < 2; b++)
        {
            var x = Values(input[b]);
            var expected = new double[25];
            for (var row = 0; row < 5; row++)
            {
                for (var column = 0; column < 5; column++)
                {
                    // Zeroing a cube removes w x of its voxels, in both channels, from the score.
                    for (var r = row / 2 * 2; r < Math.Min(row / 2 * 2 + 2, 5); r++)
                    {
                        for (var s = column / 2 * 2; s < Math.Min(column / 2 * 2 + 2, 5); s++)
                        {
                            expected[row * 5 + column] += weights[0][r * 5 + s] * x[r * 5 + s] + weights[0][25 + r * 5 + s] * x[25 + r * 5 + s];
                        }
                    }
                }
            }
            var actual = Values(map[b]);
            AssertClose(expected, actual, 1e-5);
            // Where the model does not look, a difference of two equal scores (up to the rounding of sums over other batch sizes).
            Assert.All(Enumerable.Range(0, 25).Where(i => i % 5 < 2), i => Assert.True(Math.Abs(actual[i]) < 1e-6, $"voxel {i}: {actual[i]}"));
        }
    }

    [Fact]
    public void Occlusion_for_classification_maps_the_drop_of_the_target_class_probability()
    {
        var weights = Weights(2, 4 * 4, seed: 20);
        for (var i = 0; i < 16; i++)
        {
            // The bottom half (rows 2-3) is ignored by both classes.
            if (i >= 8)
            {
                weights[0][i] = weights[1][i] = 0;
            }
        }
        using var model = Scores(weights, squared: false);
        using var scope = NewDisposeScope();
        var input = rand([1, 1, 4, 4], generator: new Generator(21));

        var map = SaliencyMaps.Compute(model, input, new SaliencySettings { Method = SaliencyMethod.Occlusion, OcclusionSize = 2, TargetNode = 1 }, classification: true);

        var x = Values(input[0]);
        double Probability(Func<int, bool> occluded)
        {
            var scores = weights.Select(w => Enumerable.Range(0, 16).Sum(i => occluded(i) ? 0 : w[i] * x[i])).ToArray();
            return Math.Exp(scores[1]) / (Math.Exp(scores[0]) + Math.Exp(scores[1]));
        }
        var baseline = Probability(_ => false);
        var actual = Values(map[0]);
        for (var i = 0; i < 16; i++)
        {
            var (row, column) = (i / 4, i % 4);
            var expected = baseline - Probability(k => k / 4 / 2 == row / 2 && k % 4 / 2 == column / 2);
            Assert.True(Math.Abs(expected - actual[i]) < 1e-6, $"voxel {i}: {actual[i]}, expected {expected}");
        }
        Assert.All(actual.Skip(8), value => Assert.True(Math.Abs(value) < 1e-6));
        Assert.Contains(actual.Take(8), value => Math.Abs(value) > 1e-3);
    }

    [Fact]
    public void Says_why_GradCam_cannot_run_and_lets_the_other_methods_run()
    {
        using var linear = Scores(Weights(2, 4, seed: 22), squared: false);
        using var pooled = new PooledLinear(Weights(2, 4, seed: 23));

        Assert.Contains("Grad-CAM needs a network with a convolutional feature stack", SaliencyMaps.Unsupported(linear, new SaliencySettings { Method = SaliencyMethod.GradCam }));
        Assert.Contains("between 1 and 2", SaliencyMaps.Unsupported(pooled, new SaliencySettings { Method = SaliencyMethod.GradCam, GradCamLevel = 3 }));
        Assert.Contains("between 1 and 2", SaliencyMaps.Unsupported(pooled, new SaliencySettings { Method = SaliencyMethod.GradCam, GradCamLevel = 0 }));
        Assert.Null(SaliencyMaps.Unsupported(pooled, new SaliencySettings { Method = SaliencyMethod.GradCam, GradCamLevel = 2 }));
        Assert.All(new[] { SaliencyMethod.Gradients, SaliencyMethod.SmoothGrad, SaliencyMethod.Occlusion },
            method => Assert.Null(SaliencyMaps.Unsupported(linear, new SaliencySettings { Method = method })));
    }

    [Theory]
    [InlineData(SaliencyMethod.Gradients)]
    [InlineData(SaliencyMethod.SmoothGrad)]
    [InlineData(SaliencyMethod.GradCam)]
    [InlineData(SaliencyMethod.Occlusion)]
    public void Leaves_no_tensor_alive_but_the_map(SaliencyMethod method)
    {
        using var model = new PooledLinear(Weights(2, 3 * 2 * 2, seed: 24));
        using var input = randn([2, 3, 4, 4], generator: new Generator(25));
        using var noise = new Generator(26);
        var settings = new SaliencySettings { Method = method, SmoothGradSamples = 3, OcclusionSize = 2 };
        SaliencyMaps.Compute(model, input, settings, classification: true, noise).Dispose();
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        SaliencyMaps.Compute(model, input, settings, classification: true, noise).Dispose();

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    private static double[][] Weights(int outputs, int features, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, outputs).Select(_ => Enumerable.Range(0, features).Select(_ => Math.Round(random.NextDouble() * 2 - 1, 3)).ToArray())];
    }

    /// <summary>output[b, k] = bias_k + sum_i w[k, i] x_i (or x_i squared) over the flattened sample.</summary>
    private static Sequential Scores(double[][] weights, bool squared)
    {
        var linear = Linear(weights[0].Length, weights.Length);
        using (no_grad())
        {
            using var w = tensor(weights.SelectMany(row => row).Select(v => (float)v).ToArray(), [weights.Length, weights[0].Length]);
            linear.weight!.copy_(w);
            linear.bias!.fill_(0.25);
        }
        return squared ? Sequential(new Square(), Flatten(), linear) : Sequential(Flatten(), linear);
    }

    private static double[] Values(Tensor tensor) => tensor.to(ScalarType.Float64).flatten().data<double>().ToArray();

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = Math.Max(1, expected.Max(Math.Abs));
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= tolerance * scale, $"differs by up to {worst} (tolerance {tolerance * scale})");
    }

    private sealed class Square() : Module<Tensor, Tensor>(nameof(Square))
    {
        public override Tensor forward(Tensor input) => input.square();
    }

    /// <summary>
    /// Two feature layers, the identity then a 2x2(x2) average pooling, and a linear head over the flattened pooled
    /// map: Grad-CAM's levels 1 and 2. Unpooled, the second layer is the identity as well (a map of the input's own
    /// size, so Grad-CAM's upsampling changes nothing).
    /// </summary>
    private sealed class PooledLinear : Module<Tensor, Tensor>, IFeatureNetwork
    {
        private readonly Module<Tensor, Tensor>[] layers;
        private readonly Sequential features;
        private readonly Sequential fc;

        public PooledLinear(double[][] head, bool pooled = true) : base(nameof(PooledLinear))
        {
            layers = pooled ? [Identity(), AvgPool2d(2)] : [Identity(), Identity()];
            features = Sequential(layers);
            fc = Scores(head, squared: false);
            RegisterComponents();
        }

        public int FeatureLayerCount => layers.Length;

        public override Tensor forward(Tensor input)
        {
            using var last = features.forward(input);
            return fc.forward(last);
        }

        public Tensor Features(Tensor input, int level) => NetworkLayers.Run(layers, input, 0, level);

        public Tensor Head(Tensor features, int level)
        {
            using var last = NetworkLayers.Run(layers, features, level, layers.Length);
            return fc.forward(last);
        }
    }
}
