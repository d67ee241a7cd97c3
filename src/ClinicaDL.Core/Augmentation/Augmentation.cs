using static TorchSharp.torch;

namespace ClinicaDL.Core.Augmentation;

/// <summary>
/// An augmentation with its own parameters type, so that its parameters can be set by hand (<see cref="Apply"/>
/// with a record the caller builds) and are checked to be its own when they come through <see cref="IAugmentation"/>.
/// </summary>
public abstract class Augmentation<TParameters> : IAugmentation where TParameters : AugmentationParameters
{
    public abstract string Name { get; }

    /// <inheritdoc cref="IAugmentation.Draw"/>
    public abstract TParameters Draw(Tensor sample, Generator generator);

    /// <inheritdoc cref="IAugmentation.Apply"/>
    public abstract Tensor Apply(Tensor sample, TParameters parameters);

    AugmentationParameters IAugmentation.Draw(Tensor sample, Generator generator) => Draw(sample, generator);

    Tensor IAugmentation.Apply(Tensor sample, AugmentationParameters parameters) => parameters is TParameters own
        ? Apply(sample, own)
        : throw new ArgumentException($"{Name} takes {typeof(TParameters).Name}, not {parameters.GetType().Name}.", nameof(parameters));
}
