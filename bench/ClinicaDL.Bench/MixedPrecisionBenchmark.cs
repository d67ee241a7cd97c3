using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Bench;

/// <summary>
/// conv3d_bf16_vs_fp32: the time of one forward and backward pass of Conv5_FC3's second convolution (8 to 16
/// channels, batch 2, at the size it runs on a 1x169x208x179 image) in bfloat16 over the same in float32, on
/// this machine's CPU through TorchSharp's libtorch. Mixed precision (ClinicaDL's amp) only pays when this is
/// well below 1; TorchSharp 0.107 has neither autocast nor channels-last tensors, so the bfloat16 pass is the
/// hand-cast one an implementation would make. On 2026-11-28 this printed 0.58 to 0.69, oneDNN running its
/// avx512_core_bf16 kernels (ONEDNN_VERBOSE=1 shows them); a program that loaded libtorch otherwise got oneDNN's
/// AVX2 kernels, no bfloat16 ones, and measured bfloat16 11 to 30 times slower: check the kernels before a figure.
/// </summary>
internal static class MixedPrecisionBenchmark
{
    public static void Run(string workFolder)
    {
        set_num_threads(2);
        manual_seed(0);
        using var activations = randn([2, 8, 84, 104, 89]);
        using var weight = randn([16, 8, 3, 3, 3]);
        using var bias = randn([16]);
        double Pass(ScalarType type)
        {
            using var scope = NewDisposeScope();
            var input = activations.to(type).requires_grad_(true);
            var kernel = weight.to(type).requires_grad_(true);
            var watch = Stopwatch.StartNew();
            nn.functional.conv3d(input, kernel, bias.to(type), padding: [1, 1, 1]).to(ScalarType.Float32).sum().backward();
            return watch.Elapsed.TotalSeconds;
        }
        Pass(ScalarType.Float32);
        Pass(ScalarType.BFloat16);
        // The two sides alternate over three rounds; the figure is the median ratio.
        var ratios = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            var single = Pass(ScalarType.Float32);
            ratios.Add(Pass(ScalarType.BFloat16) / single);
        }
        ratios.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"conv3d_bf16_vs_fp32: {ratios[1]:F2}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"conv3d_bf16_vs_fp32_rounds: {string.Join(" ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}"));
    }
}
