namespace ClinicaDL.Core.Datasets;

/// <summary>A CAPS folder or query that cannot be used; the message names the folder or files.</summary>
public sealed class CapsException(string message) : Exception(message);
