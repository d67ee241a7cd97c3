using System.Globalization;
using System.Text.RegularExpressions;

namespace ClinicaDL.Core.Imaging;

/// <summary>
/// Limits of one NIfTI read. The ceiling bounds the memory one image's voxels take once decoded, so a header
/// that claims a huge image (by mistake or on purpose) is refused before the machine runs out of memory; a user
/// with truly large images raises it.
/// </summary>
public sealed partial record NiftiReadOptions
{
    /// <summary>The environment variable that sets the ceiling for every read that is given no options.</summary>
    public const string MaxImageBytesVariable = "CLINICADL_MAX_IMAGE_BYTES";

    /// <summary>4 GiB: a 1 mm whole-body float32 volume fits many times over.</summary>
    public const long DefaultMaxImageBytes = 4L << 30;

    /// <summary>
    /// The most bytes one image's voxels may take in memory: the stored values for <see cref="NiftiReader.Read"/>,
    /// the float32 values for <see cref="NiftiReader.ReadSingle"/>.
    /// </summary>
    public long MaxImageBytes
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(MaxImageBytes), value, "The ceiling per image must be at least 1 byte.");
    } = DefaultMaxImageBytes;

    /// <summary>The options of a read given none: the default ceiling, or <c>CLINICADL_MAX_IMAGE_BYTES</c> when set.</summary>
    public static NiftiReadOptions FromEnvironment() => Parse(Environment.GetEnvironmentVariable(MaxImageBytesVariable));

    /// <summary>
    /// Options from a value of <c>CLINICADL_MAX_IMAGE_BYTES</c>: a number of bytes, optionally followed by K, M, G or T
    /// (powers of 1024, with or without "iB"/"B"), e.g. <c>8G</c>; null or empty gives the default.
    /// </summary>
    public static NiftiReadOptions Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return new NiftiReadOptions();
        }
        var match = Size().Match(value);
        if (match.Success && long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0)
        {
            var shift = match.Groups[2].Value.ToUpperInvariant() switch
            {
                "K" => 10,
                "M" => 20,
                "G" => 30,
                "T" => 40,
                _ => 0,
            };
            if (number <= long.MaxValue >> shift)
            {
                return new NiftiReadOptions { MaxImageBytes = number << shift };
            }
        }
        throw new ArgumentException(
            $"{MaxImageBytesVariable} is '{value}'; expected a positive number of bytes, optionally followed by K, M, G or T (e.g. 8G), below 8 EiB.");
    }

    [GeneratedRegex(@"^\s*(\d+)\s*(?:([KMGT])(?:i?B)?|B)?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Size();
}
