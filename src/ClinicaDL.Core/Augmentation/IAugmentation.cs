using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>
/// One data augmentation, in TorchIO's two steps: <see cref="Draw"/> takes every random choice from the generator,
/// <see cref="Apply"/> uses them and no randomness. The drawn parameters can so be logged, and a sample augmented
/// again exactly from them.
/// </summary>
public interface IAugmentation
{
    /// <summary>ClinicaDL's name for it in data_augmentation.</summary>
    string Name { get; }

    /// <summary>The random parameters for one sample [channels, spatial...]; only its shape and device are read.</summary>
    AugmentationParameters Draw(Tensor sample, Generator generator);

    /// <summary>The augmented sample, a new tensor (or an alias when the parameters leave it as it is).</summary>
    Tensor Apply(Tensor sample, AugmentationParameters parameters);
}
