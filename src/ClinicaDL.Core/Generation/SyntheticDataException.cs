namespace ClinicaDL.Core.Generation;

/// <summary>A synthetic data set that cannot be made as asked; the message says what to change.</summary>
public sealed class SyntheticDataException(string message) : Exception(message);
