using System.Diagnostics;
using ClinicaDL.Core.Tables;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClinicaDL.Core.Runtime;

/// <summary>What <see cref="TrainingSmokeTest.Run"/> observed.</summary>
public sealed class SmokeTestResult
{
    public required string Device { get; init; }
    public required int Threads { get; init; }
    public required int Steps { get; init; }
    public required ReadableList<double> Losses { get; init; }

    /// <summary>Wall-clock time of the run, in seconds: one number in CSV and JSON (a TimeSpan exports as its ticks, days, hours...).</summary>
    public required double DurationSeconds { get; init; }

    public double InitialLoss => Losses[0];
    public double FinalLoss => Losses[^1];

    /// <summary>Training works when the loss went down and stayed finite.</summary>
    public bool Passed => Losses.All(double.IsFinite) && FinalLoss < InitialLoss;
}

/// <summary>
/// Trains a tiny 3D CNN on a seeded toy task (a bright cube or not) for a few steps: proves that libtorch,
/// autograd, 3D convolutions and the optimiser all work in this process, in seconds.
/// </summary>
public static class TrainingSmokeTest
{
    public static SmokeTestResult Run(string deviceName = "cpu", int steps = 20, long seed = 0, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);
        var device = TorchRuntime.ResolveDevice(deviceName);
        // libtorch's default count, not the calling thread's leftover one, so the reported losses repeat (see TorchRuntime.UseThreads).
        using var threads = TorchRuntime.UseThreads(TorchRuntime.DefaultThreads);
        var watch = Stopwatch.StartNew();
        torch.manual_seed(seed);
        using var model = Sequential(
            ("conv1", Conv3d(1, 8, 3, padding: 1)),
            ("norm1", BatchNorm3d(8)),
            ("relu1", ReLU()),
            ("pool1", MaxPool3d(2)),
            ("conv2", Conv3d(8, 16, 3, padding: 1)),
            ("relu2", ReLU()),
            ("pool2", AdaptiveAvgPool3d(1)),
            ("flatten", Flatten()),
            ("fc", Linear(16, 2)));
        model.to(device);
        using var optimizer = optim.Adam(model.parameters(), lr: 0.005);
        using var inputs = ToyInputs(seed).to(device);
        using var labels = torch.tensor(new long[] { 0, 1, 0, 1, 0, 1, 0, 1 }).to(device);
        var losses = new double[steps];
        for (var step = 0; step < steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = functional.cross_entropy(model.forward(inputs), labels);
            loss.backward();
            optimizer.step();
            losses[step] = loss.item<float>();
        }
        return new SmokeTestResult
        {
            Device = device.ToString(),
            Threads = TorchRuntime.DefaultThreads,
            Steps = steps,
            Losses = new(losses),
            DurationSeconds = watch.Elapsed.TotalSeconds,
        };
    }

    /// <summary>Eight 16³ noise volumes; the odd ones carry a bright 8³ cube.</summary>
    private static Tensor ToyInputs(long seed)
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator((ulong)seed);
        var volumes = torch.randn([8, 1, 16, 16, 16], generator: generator);
        using var three = 3.0.ToScalar();
        for (var i = 1; i < 8; i += 2)
        {
            volumes[i, 0, TensorIndex.Slice(4, 12), TensorIndex.Slice(4, 12), TensorIndex.Slice(4, 12)].PlusInPlace(three);
        }
        return volumes.MoveToOuterDisposeScope();
    }
}
