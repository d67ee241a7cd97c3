using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>
/// TorchIO's RandomSwap(patch_size=15, num_iterations=100): 100 times, two random 15-voxel cubes (squares on a
/// slice) exchange their content. A sample with a side under 15 voxels is left as it is.
/// </summary>
public sealed class RandomSwapAugmentation : Augmentation<RandomSwapParameters>
{
    private const int PatchSize = 15;
    private const int Iterations = 100;

    public override string Name => "RandomSwap";

    /// <summary>Per swap, the first patch's corner then the second's, each axis in order.</summary>
    public override RandomSwapParameters Draw(Tensor sample, Generator generator)
    {
        var spatial = sample.shape[1..];
        if (spatial.Any(n => n < PatchSize))
        {
            return RandomSwapParameters.None;
        }
        long[] Corner() => [.. spatial.Select(n => RandomDraws.UniformInteger(generator, 0, n - PatchSize))];
        var swaps = new List<PatchSwap>();
        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var first = Corner();
            swaps.Add(new(first, Corner()));
        }
        return new(PatchSize, swaps);
    }

    /// <summary>
    /// The swaps in order, each in place. Overlapping patches are not exchanged exactly: the second is read while the
    /// first is written over it. Kept as it is so that seeded runs repeat; an exact exchange would copy both first.
    /// </summary>
    public override Tensor Apply(Tensor sample, RandomSwapParameters parameters)
    {
        if (parameters.Swaps.Count == 0)
        {
            return sample.alias();
        }
        using var scope = NewDisposeScope();
        var swapped = sample.clone();
        foreach (var swap in parameters.Swaps)
        {
            var first = Patch(swap.First, parameters.PatchSize);
            var second = Patch(swap.Second, parameters.PatchSize);
            using var a = swapped[first].clone();
            swapped[first] = swapped[second];
            swapped[second] = a;
        }
        return swapped.MoveToOuterDisposeScope();
    }

    private static TensorIndex[] Patch(IReadOnlyList<long> corner, int size) =>
        [TensorIndex.Colon, .. corner.Select(start => TensorIndex.Slice(start, start + size))];
}

/// <summary>The patches' side in voxels and the swaps, in order; none when the sample is smaller than a patch.</summary>
public sealed record RandomSwapParameters(int PatchSize, IReadOnlyList<PatchSwap> Swaps) : AugmentationParameters
{
    public static readonly RandomSwapParameters None = new(0, []);

    public override string ToString() => Swaps.Count == 0
        ? "RandomSwap(none)"
        : $"RandomSwap(patch_size={PatchSize}, swaps=[{string.Join(", ", Swaps)}])";
}

/// <summary>Two patches' first corners (one index per spatial axis, in the sample's axis order), whose content is exchanged.</summary>
public sealed record PatchSwap(IReadOnlyList<long> First, IReadOnlyList<long> Second)
{
    public override string ToString() => $"[{string.Join(",", First)}]<->[{string.Join(",", Second)}]";
}
