namespace ClinicaDL.Core.Augmentation;

/// <summary>
/// The augmentations by ClinicaDL name, in ClinicaDL's order (the order error messages list them in). Names match
/// exactly, as ClinicaDL's configuration does.
/// </summary>
public static class AugmentationRegistry
{
    private static readonly OrderedDictionary<string, IAugmentation> Entries = new(
        new IAugmentation[]
        {
            new NoiseAugmentation(), new ErasingAugmentation(), new CropPadAugmentation(), new SmoothingAugmentation(), new MotionAugmentation(),
            new GhostingAugmentation(), new SpikeAugmentation(), new BiasFieldAugmentation(), new RandomBlurAugmentation(), new RandomSwapAugmentation(),
        }.Select(augmentation => KeyValuePair.Create(augmentation.Name, augmentation)),
        StringComparer.Ordinal);

    public static IReadOnlyList<string> Names { get; } = [.. Entries.Keys];

    public static bool Exists(string name) => Entries.ContainsKey(name);

    public static IAugmentation Get(string name) => Entries.TryGetValue(name, out var augmentation)
        ? augmentation
        : throw new ArgumentException($"Unknown data augmentation '{name}'; expected any of {string.Join(", ", Names)}.");
}
