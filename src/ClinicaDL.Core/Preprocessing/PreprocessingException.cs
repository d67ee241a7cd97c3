namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// An image that a preprocessing step cannot work on (an empty mask, constant or non-finite intensities, ...);
/// the message names what was found and what the step needs.
/// </summary>
public sealed class PreprocessingException(string message) : Exception(message);
