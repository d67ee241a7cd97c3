using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>
/// ClinicaDL's data augmentations, on training samples only, in the order given, each drawing its parameters
/// from the run's seeded generator with ClinicaDL's ranges (reference section 4). ClinicaDL takes the last seven
/// from TorchIO; these are written on tensors (FFT for the k-space ones) and work on 3D images and patches and,
/// where it makes sense, on 2D slices. Each is a type in <see cref="AugmentationRegistry"/>; this is what the
/// trainer and the configuration call.
/// </summary>
public static class Augmentations
{
    /// <summary>The names ClinicaDL accepts in data_augmentation.</summary>
    public static readonly string[] Names = [.. AugmentationRegistry.Names];

    /// <summary>Refuses unknown names, naming the known ones (ClinicaDL's "None" means no augmentation).</summary>
    public static IReadOnlyList<string> Validate(IEnumerable<string> names)
    {
        var list = names.Where(n => n != "None").ToList();
        var unknown = list.Where(n => !AugmentationRegistry.Exists(n)).ToList();
        return unknown.Count > 0
            ? throw new ArgumentException($"Unknown data augmentation(s) {string.Join(", ", unknown)}; expected any of {string.Join(", ", Names)}.")
            : list;
    }

    /// <summary>Each sample of a batch [batch, channels, spatial...] through the augmentations, in order.</summary>
    public static Tensor Apply(Tensor batch, IReadOnlyList<string> names, Generator generator)
    {
        if (names.Count == 0)
        {
            return batch.alias();
        }
        var augmentations = names.Select(AugmentationRegistry.Get).ToList();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var samples = new List<Tensor>();
        for (var b = 0; b < batch.shape[0]; b++)
        {
            var sample = batch[b];
            foreach (var augmentation in augmentations)
            {
                sample = DrawAndApply(augmentation, sample, generator);
            }
            samples.Add(sample);
        }
        return stack(samples).MoveToOuterDisposeScope();
    }

    /// <summary>One augmentation on one sample [channels, spatial...].</summary>
    public static Tensor ApplyOne(string name, Tensor sample, Generator generator) => DrawAndApply(AugmentationRegistry.Get(name), sample, generator);

    /// <summary>The parameters (a tensor, for Noise) are freed here; the augmented sample is the caller's.</summary>
    private static Tensor DrawAndApply(IAugmentation augmentation, Tensor sample, Generator generator)
    {
        using var scope = NewDisposeScope();
        var parameters = augmentation.Draw(sample, generator);
        return augmentation.Apply(sample, parameters).MoveToOuterDisposeScope();
    }
}
