namespace ClinicaDL.Core.Training;

/// <summary>
/// The order of the training samples in an epoch, from the seed and the epoch alone (so a resumed run draws the
/// same batches): a permutation for the random sampler, or the <see cref="WeightedSampler"/>'s draw.
/// </summary>
public static class SampleOrder
{
    public const string Random = "random";
    public const string Weighted = "weighted";

    /// <summary>The samplers a configuration can name (ClinicaDL's sampler key).</summary>
    public static IReadOnlyList<string> Samplers { get; } = [Random, Weighted];

    public static List<int> Draw(string sampler, TrainingTask task, IReadOnlyList<LabeledImage> samples, int seed, int epoch)
    {
        var random = new System.Random(unchecked(seed * 7919 + epoch));
        switch (sampler)
        {
            case Random:
                var order = Enumerable.Range(0, samples.Count).ToArray();
                random.Shuffle(order);
                return [.. order];
            case Weighted:
                return WeightedSampler.Draw(WeightedSampler.Classes(task, samples), random);
            default:
                throw new ArgumentException($"Unknown sampler '{sampler}'; expected random or weighted.");
        }
    }
}
