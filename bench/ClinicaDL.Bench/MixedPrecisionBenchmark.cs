using System.Diagnostics;
using System.Globalization;
using ClinicaDL.Core.Networks;
using ClinicaDL.Core.Runtime;
using ClinicaDL.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Bench;

/// <summary>
/// train_step_amp_vs_fp32: the time of one Conv5_FC3 training step (forward, loss, backward; batch 2 at
/// 1x169x208x179) through the mixed-precision twin over the same step in float32, in this process, with the runtime
/// as the module loads it (oneDNN at <see cref="TorchRuntime.OneDnnIsaCeiling"/>). It is the figure behind amp's
/// refusal on a CPU: below oneDNN's AVX-512 BF16 kernels the bfloat16 convolutions run without oneDNN.
/// </summary>
internal static class MixedPrecisionBenchmark
{
    private static readonly long[] Shape = [1, 169, 208, 179];

    public static void Run(string workFolder)
    {
        TorchRuntime.EnsureLoaded();
        set_num_threads(2);
        manual_seed(0);
        using var master = NetworkRegistry.Create("Conv5_FC3", Shape, 2, dropout: 0);
        using var precision = MixedPrecision.Create(master, () => NetworkRegistry.Create("Conv5_FC3", Shape, 2, dropout: 0), CPU, ScalarType.BFloat16);
        using var input = randn([2, .. Shape]);
        using var target = tensor(new long[] { 0, 1 });
        master.train();
        precision.train();
        double Step(bool amp)
        {
            using var scope = NewDisposeScope();
            var watch = Stopwatch.StartNew();
            if (amp)
            {
                precision.Backward(nn.functional.cross_entropy(precision.forward(input), target));
            }
            else
            {
                nn.functional.cross_entropy(master.forward(input), target).backward();
            }
            return watch.Elapsed.TotalSeconds;
        }
        // One warm-up step each, then the two sides alternate over three rounds; the figure is the median ratio.
        Step(false);
        Step(true);
        var ratios = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            var single = Step(false);
            ratios.Add(Step(true) / single);
        }
        ratios.Sort();
        Console.WriteLine($"amp_onednn_isa_ceiling: {TorchRuntime.OneDnnIsaCeiling}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"train_step_amp_vs_fp32: {ratios[1]:F2}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"train_step_amp_vs_fp32_rounds: {string.Join(" ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}"));
    }
}
