namespace ClinicaDL.Core.Splits;

/// <summary>A split that cannot be made from this table with these choices; the message says why and what to change.</summary>
public sealed class SplitException(string message) : Exception(message);
