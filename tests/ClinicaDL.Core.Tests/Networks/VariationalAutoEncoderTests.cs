using ClinicaDL.Core.Networks;
using ClinicaDL.Core.Training;
using static ClinicaDL.Core.Tests.Networks.ParameterFormulas;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Networks;

/// <summary>
/// ClinicaDL's VAEs and SqueezeExcitationCNN: the output shapes, the parameter counts of their layer lists (and
/// ClinicaDL 1.6.1's own counts, printed by its networks), sampling only in training mode, and ClinicaDL's VAE
/// losses on values worked out with its vae_utils.py.
/// </summary>
public sealed class VariationalAutoEncoderTests
{
    public VariationalAutoEncoderTests() => TorchNatives.EnsureLoaded();

    public static TheoryData<string, long[], long> Counts() => new()
    {
        { "VanillaDenseVAE", [1, 64, 64], DenseVae([1, 64, 64], 4, 32, 128, 1024) },
        { "VanillaDenseVAE", [3, 57, 70], DenseVae([3, 57, 70], 4, 32, 128, 1024) },
        { "VanillaSpatialVAE", [1, 64, 64], SpatialVae2D(1) },
        { "Vanilla3DdenseVAE", [1, 80, 96, 80], DenseVae([1, 80, 96, 80], 4, 8, 128, 1024) },
        { "Vanilla3DdenseVAE", [1, 32, 40, 32], DenseVae([1, 32, 40, 32], 4, 8, 128, 1024) },
        { "Vanilla3DspacialVAE", [1, 40, 48, 40], SpatialVae3D(1) },
        { "CVAE_3D_half", [1, 80, 96, 80], ConvolutionalVae([1, 80, 96, 80], 128, finalConvolution: false) },
        { "CVAE_3D_half", [1, 56, 64, 56], ConvolutionalVae([1, 56, 64, 56], 128, finalConvolution: false) },
        { "CVAE_3D_final_conv", [1, 80, 96, 80], ConvolutionalVae([1, 80, 96, 80], 128, finalConvolution: true) },
        { "CVAE_3D_final_conv", [1, 32, 40, 32], ConvolutionalVae([1, 32, 40, 32], 128, finalConvolution: true) },
        { "SqueezeExcitationCNN", [1, 169, 208, 179], SqueezeExcitationCNN(2) },
        { "GeneratorUNet", [1, 32, 64, 32], GeneratorUNet() },
    };

    [Theory]
    [MemberData(nameof(Counts))]
    public void Has_the_parameters_of_clinicadls_layer_list(string name, long[] sampleShape, long expected)
    {
        using var net = NetworkRegistry.Create(name, sampleShape, 2, 0.0);

        Assert.Equal(expected, net.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void The_formulas_give_the_counts_clinicadls_own_networks_print()
    {
        // sum(p.numel() for p in model.parameters()) of ClinicaDL 1.6.1's networks (torch 1.13, latent 128,
        // feature_size 1024, n_conv 4, io_layer_channels 8, output 2, size_reduction_factor 2).
        Assert.Equal(3523049, SqueezeExcitationCNN(2));
        Assert.Equal(20411360, DenseVae([1, 80, 96, 80], 4, 8, 128, 1024));
        Assert.Equal(866946369, ConvolutionalVae([1, 169, 208, 179], 128, finalConvolution: false));
        Assert.Equal(80337217, ConvolutionalVae([1, 80, 96, 80], 128, finalConvolution: false));
        Assert.Equal(80336093, ConvolutionalVae([1, 80, 96, 80], 128, finalConvolution: true));
        Assert.Equal(50527681, GeneratorUNet());
    }

    [Fact]
    public void GeneratorUNet_gives_the_input_shape_back_and_refuses_sizes_its_skip_connections_cannot_meet()
    {
        manual_seed(2);
        using var net = NetworkRegistry.Create("GeneratorUNet", [1, 32, 64, 32], 1, 0.0);
        net.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var output = net.forward(rand([2, 1, 32, 64, 32]));

        Assert.Equal([2L, 1, 32, 64, 32], output.shape);
        // Tanh output.
        Assert.True(output.abs().max().item<float>() <= 1);
        Assert.Contains("multiples of 32", Assert.Throws<ArgumentException>(() => NetworkRegistry.Create("GeneratorUNet", [1, 57, 70, 60], 1, 0.0)).Message);
    }

    [Theory]
    [InlineData("VanillaDenseVAE", new long[] { 1, 33, 47 })]
    [InlineData("VanillaSpatialVAE", new long[] { 2, 64, 37 })]
    [InlineData("Vanilla3DdenseVAE", new long[] { 1, 32, 40, 32 })]
    [InlineData("Vanilla3DspacialVAE", new long[] { 1, 33, 40, 35 })]
    [InlineData("CVAE_3D_half", new long[] { 1, 32, 40, 32 })]
    [InlineData("CVAE_3D_final_conv", new long[] { 1, 40, 48, 40 })]
    public void Gives_the_input_shape_back_and_samples_only_in_training(string name, long[] sampleShape)
    {
        manual_seed(3);
        using var net = NetworkRegistry.Create(name, sampleShape, 1, 0.0);
        var vae = Assert.IsAssignableFrom<IVariationalAutoEncoder>(net);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = rand([2, .. sampleShape]);

        net.eval();
        var first = net.forward(input);
        var (reconstruction, mean, logVariance) = vae.ForwardWithCode(input);
        net.train();
        manual_seed(5);
        var sampled = net.forward(input);
        var resampled = net.forward(input);
        manual_seed(5);
        var sampledAgain = net.forward(input);

        Assert.Equal([2L, .. sampleShape], first.shape);
        Assert.Equal(mean.shape, logVariance.shape);
        // Evaluation decodes the mean, so it repeats exactly.
        Assert.True(first.allclose(reconstruction, rtol: 0, atol: 0));
        // Training passes see the same batch statistics (BatchNorm), so only the drawn code can tell two of them apart:
        // they differ from one draw to the next and repeat under the same seed.
        Assert.False(sampled.allclose(resampled), $"two training passes gave the same output: no sampling");
        Assert.True(sampled.equal(sampledAgain).all().item<bool>());
        // Every VAE ends in a Sigmoid: the reconstruction is in (0, 1) like the normalised images.
        Assert.True(first.min().item<float>() >= 0 && first.max().item<float>() <= 1);
    }

    [Theory]
    [InlineData("VAEGaussianLoss", 0.3125 + 0.653426)]
    [InlineData("VAEBernoulliLoss", 0.980829 + 0.653426)]
    [InlineData("VAEContinuousBernoulliLoss", 0.653426 + 0.980829 + 1.480342)]
    public void Computes_clinicadls_vae_losses(string loss, double expected)
    {
        using var scope = NewDisposeScope();
        // Values run through ClinicaDL 1.6.1's vae_utils.py: input [1, 0], reconstruction [0.5, 0.25], mean [1, 0], log-variance [0, ln 2].
        var network = new FixedCode(tensor(new[] { 0.5f, 0.25f }, [1, 2]), tensor(new[] { 1f, 0f }, [1, 2]), tensor(new[] { 0f, MathF.Log(2) }, [1, 2]));

        var (_, value, _, _) = VariationalLoss.Compute(network, loss, tensor(new[] { 1f, 0f }, [1, 2]));

        Assert.Equal(expected, value.item<float>(), 4);
    }

    [Theory]
    [InlineData("VAEGaussianLoss", false, 2 * 0.3125 + 0.653426)]
    [InlineData("VAEBernoulliLoss", false, 2 * 0.980829 + 0.653426)]
    [InlineData("VAEContinuousBernoulliLoss", false, 0.653426 + 2 * 0.980829 + 2 * 1.480342)]
    [InlineData("VAEGaussianLoss", true, 0.3125 + 0.653426)]
    public void Sums_the_reconstruction_over_the_batch_and_averages_the_kl_over_it_except_cvae_3d_which_averages_both(string loss, bool ownsLoss, double expected)
    {
        using var scope = NewDisposeScope();
        // The batch-1 case above twice: vae_utils.py sums the reconstruction term over the batch and divides the KL by
        // its size; CVAE_3D's own loss divides its squared error by the batch size too (ownsLoss: the loss named is not read).
        var twice = (float[] values) => tensor(values.Concat(values).ToArray(), [2, 2]);
        var network = new FixedCode(twice([0.5f, 0.25f]), twice([1f, 0f]), twice([0f, MathF.Log(2)]), ownsLoss);

        var (_, value, _, _) = VariationalLoss.Compute(network, loss, twice([1f, 0f]));

        Assert.Equal(expected, value.item<float>(), 4);
    }

    [Fact]
    public void Vanilla_vaes_draw_one_eps_per_code_value_and_the_convolutional_ones_one_eps_vector_for_the_whole_batch()
    {
        using var scope = NewDisposeScope();
        var (mean, logVariance) = (zeros(3, 6), zeros(3, 6));

        manual_seed(11);
        var own = VariationalSampling.Sample(mean, logVariance);
        var shared = VariationalSampling.SampleSharedAcrossBatch(mean, logVariance);

        // BaseVAE.reparameterize: randn_like(std), each sample its own draw.
        Assert.False(own[0].equal(own[1]).any().item<bool>());
        // CVAE_3D's reparametrize: torch.normal over a vector of the code's length, added to every sample alike.
        Assert.True(shared[0].equal(shared[1]).all().item<bool>() && shared[1].equal(shared[2]).all().item<bool>());
        Assert.True(shared[0].std().item<float>() > 0.1f);
    }

    [Fact]
    public void Cvae_3d_weighs_its_kl_by_5_whatever_kl_weight_says()
    {
        // ClinicaDL's CVAE_3D sets self.beta = 5 and computes its own loss; the configuration's kl_weight is not read.
        using var scope = NewDisposeScope();
        using var full = (IDisposable)NetworkRegistry.Create("CVAE_3D", [1, 169, 208, 179], 1, new NetworkSettings { KlWeight = 1, LatentSpaceSize = 2 });
        var vae = (IVariationalAutoEncoder)full;

        Assert.True(vae.OwnsLoss);
        Assert.Equal(60f, vae.Total(tensor(10f), tensor(10f), null).item<float>());
    }

    [Fact]
    public void Weighs_the_terms_as_each_clinicadl_network_does()
    {
        using var scope = NewDisposeScope();
        var settings = new NetworkSettings { ReconstructionWeight = 2, KlWeight = 3 };
        using var vanilla = (IDisposable)NetworkRegistry.Create("Vanilla3DdenseVAE", [1, 32, 40, 32], 1, settings);
        using var half = (IDisposable)NetworkRegistry.Create("CVAE_3D_half", [1, 32, 40, 32], 1, settings);
        var (r, k, c) = (tensor(10f), tensor(1f), tensor(100f));

        // BaseVAE: recons_weight x reconstruction + kl_weight x KL; CVAE_3D_half reads recons_weight only with the log-constant.
        Assert.Equal(23f, ((IVariationalAutoEncoder)vanilla).Total(r, k, null).item<float>());
        Assert.Equal(123f, ((IVariationalAutoEncoder)vanilla).Total(r, k, c).item<float>());
        Assert.Equal(13f, ((IVariationalAutoEncoder)half).Total(r, k, null).item<float>());
        Assert.Equal(123f, ((IVariationalAutoEncoder)half).Total(r, k, c).item<float>());
    }

    [Fact]
    public void A_convolutional_vae_with_kl_weight_0_decodes_its_mean_in_training_as_clinicadl_does()
    {
        // ClinicaDL's reparametrize returns mu when beta (kl_weight) is 0: a plain autoencoder, no sampling.
        using var scope = NewDisposeScope();
        using var plain = NetworkRegistry.Create("CVAE_3D_half", [1, 32, 40, 32], 1, new NetworkSettings { KlWeight = 0 });
        using var sampling = NetworkRegistry.Create("CVAE_3D_half", [1, 32, 40, 32], 1, new NetworkSettings { KlWeight = 1 });
        sampling.load_state_dict(plain.state_dict());
        var input = rand([2, 1, 32, 40, 32], generator: new Generator(3));
        plain.train();
        sampling.train();
        using (no_grad())
        {
            // Two training passes of the same network see the same batch statistics: only sampling can tell them apart.
            var first = ((IVariationalAutoEncoder)plain).ForwardWithCode(input).Reconstruction;
            var second = ((IVariationalAutoEncoder)plain).ForwardWithCode(input).Reconstruction;
            Assert.True(first.equal(second).all().item<bool>());
            var sampledOnce = ((IVariationalAutoEncoder)sampling).ForwardWithCode(input).Reconstruction;
            var sampledTwice = ((IVariationalAutoEncoder)sampling).ForwardWithCode(input).Reconstruction;
            Assert.False(sampledOnce.equal(sampledTwice).all().item<bool>());
        }
    }

    [Fact]
    public void Refuses_shapes_clinicadl_does_not_build_them_for()
    {
        Assert.Contains("1x80x96x80, 1x56x64x56, 1x40x48x40, 1x32x40x32", Assert.Throws<ArgumentException>(() => NetworkRegistry.Create("CVAE_3D_half", [1, 64, 64, 64], 1, 0.0)).Message);
        Assert.Contains("1x169x208x179", Assert.Throws<ArgumentException>(() => NetworkRegistry.Create("CVAE_3D", [1, 80, 96, 80], 1, 0.0)).Message);
        Assert.Contains("2D images", Assert.Throws<ArgumentException>(() => NetworkRegistry.Create("VanillaDenseVAE", [1, 64, 64, 64], 1, 0.0)).Message);
        Assert.Contains("at least 16", Assert.Throws<ArgumentException>(() => NetworkRegistry.Create("VanillaSpatialVAE", [1, 8, 64], 1, 0.0)).Message);
        Assert.Contains("1x169x208x179", Assert.Throws<ArgumentException>(() => NetworkRegistry.Create("SqueezeExcitationCNN", [1, 80, 96, 80], 2, 0.0)).Message);
        Assert.Contains("n_conv can be at most 5", Assert.Throws<ArgumentException>(() => NetworkRegistry.Create("Vanilla3DdenseVAE", [1, 32, 40, 32], 1, new NetworkSettings { ConvolutionCount = 6 })).Message);
    }

    [Fact]
    public void SqueezeExcitationCNN_gives_one_output_per_class_and_grad_cam_feature_maps()
    {
        manual_seed(1);
        using var net = (SqueezeExcitationCNN)NetworkRegistry.Create("SqueezeExcitationCNN", [1, 169, 208, 179], 3, 0.0);
        net.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = rand([1, 1, 169, 208, 179]);

        var output = net.forward(input);

        Assert.Equal([1L, 3], output.shape);
        Assert.Equal(10, net.FeatureLayerCount);
        // Block 1 and its pooling: 169x208x179 to 84x103x89 with 8 channels; the head from there gives the same output.
        var features = net.Features(input, 2);
        Assert.Equal([1L, 8, 84, 103, 89], features.shape);
        Assert.True(net.Head(features, 2).allclose(output, rtol: 1e-4, atol: 1e-5));
    }

    [Theory]
    [InlineData(1L, 512L, 1, new long[] { 0, 0, 0 })]
    [InlineData(64L, 32L, 2, new long[] { 1, 0, 1 })]
    [InlineData(3L, 5L, 1, new long[] { 0, 0 })]
    public void A_transposed_convolution_gives_pytorchs_values(long input, long output, int stride, long[] outputPadding)
    {
        manual_seed(5);
        using var scope = NewDisposeScope();
        var kernel = stride == 1 ? 3 : 4;
        using var layer = new TransposedConvolution(input, output, kernel, stride, 1, outputPadding, bias: true);
        var sample = rand([2, input, .. Enumerable.Repeat(3L, outputPadding.Length)]);
        var parameters = layer.named_parameters().ToDictionary(p => p.name, p => p.parameter);

        var values = layer.forward(sample);

        // Each output voxel is the sum of input x kernel over the (input, kernel offset) pairs that land on it,
        // written out here as a loop: the definition PyTorch's ConvTranspose follows.
        var expected = Reference(sample, parameters["weight"], parameters["bias"], stride, 1, outputPadding);
        Assert.Equal(expected.shape, values.shape);
        Assert.True(values.allclose(expected, rtol: 1e-4, atol: 1e-5), $"largest difference {(values - expected).abs().max().item<float>()}");
    }

    /// <summary>A transposed convolution by its definition: every input voxel adds its value times the kernel at stride x its position, minus the padding.</summary>
    private static Tensor Reference(Tensor input, Tensor weight, Tensor bias, int stride, int padding, long[] outputPadding)
    {
        var dimensions = outputPadding.Length;
        var kernel = weight.shape[2];
        var sizes = Enumerable.Range(0, dimensions).Select(d => (input.shape[2 + d] - 1) * stride - 2 * padding + kernel + outputPadding[d]).ToArray();
        var full = zeros([input.shape[0], weight.shape[1], .. Enumerable.Range(0, dimensions).Select(d => (input.shape[2 + d] - 1) * stride + kernel + outputPadding[d])]);
        var positions = dimensions == 3
            ? (from a in Enumerable.Range(0, (int)input.shape[2]) from b in Enumerable.Range(0, (int)input.shape[3]) from c in Enumerable.Range(0, (int)input.shape[4]) select new[] { a, b, c })
            : (from a in Enumerable.Range(0, (int)input.shape[2]) from b in Enumerable.Range(0, (int)input.shape[3]) select new[] { a, b });
        foreach (var position in positions)
        {
            // [batch, in] at this voxel, times [in, out, kernel...]: [batch, out, kernel...] added at stride x position.
            TensorIndex[] at = [TensorIndex.Colon, TensorIndex.Colon, .. position.Select(p => TensorIndex.Single(p))];
            TensorIndex[] window = [TensorIndex.Colon, TensorIndex.Colon, .. position.Select(p => TensorIndex.Slice(p * stride, p * stride + kernel))];
            var value = input[at];
            var contribution = einsum(dimensions == 3 ? "bi,iokxy->bokxy" : "bi,iokx->bokx", value, weight);
            full[window].add_(contribution);
        }
        TensorIndex[] crop = [TensorIndex.Colon, TensorIndex.Colon, .. sizes.Select(s => TensorIndex.Slice(padding, padding + s))];
        var cropped = full[crop];
        return cropped + bias.view([1, -1, .. Enumerable.Repeat(1L, dimensions)]);
    }

    /// <summary>A stand-in VAE giving fixed values, so that the losses can be checked against ClinicaDL's on numbers worked out by hand.</summary>
    private sealed class FixedCode(Tensor reconstruction, Tensor mean, Tensor logVariance, bool ownsLoss = false) : IVariationalAutoEncoder
    {
        public bool OwnsLoss => ownsLoss;

        public (Tensor Reconstruction, Tensor Mean, Tensor LogVariance) ForwardWithCode(Tensor input) => (reconstruction.alias(), mean.alias(), logVariance.alias());

        public Tensor Total(Tensor reconstruction, Tensor kl, Tensor? logConstant) => logConstant is null ? reconstruction + kl : reconstruction + kl + logConstant;
    }
}
