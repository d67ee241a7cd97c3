namespace ClinicaDL.Core.Preprocessing;

/// <summary>An image the preprocessing cannot work on (no foreground, no usable intensities, no convergence), with what was found.</summary>
public sealed class PreprocessingException(string message) : Exception(message);
