namespace ClinicaDL.Core.Imaging;

/// <summary>A .tensor file (extraction cache, saved reconstruction) that is not one, is truncated or has an unsupported layout.</summary>
public sealed class InvalidTensorFileException(string message) : Exception(message);
