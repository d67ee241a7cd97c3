using System.Globalization;

namespace ClinicaDL.Core.Augmentation;

/// <summary>
/// The parameters one augmentation drew for one sample. Immutable; its text names the augmentation and every
/// parameter, as a log line.
/// </summary>
public abstract record AugmentationParameters
{
    /// <summary>Numbers as "a, b, c" whatever the culture, for the parameters' text.</summary>
    protected static string Joined<T>(IEnumerable<T> values) where T : IFormattable =>
        string.Join(", ", values.Select(v => v.ToString(null, CultureInfo.InvariantCulture)));
}
