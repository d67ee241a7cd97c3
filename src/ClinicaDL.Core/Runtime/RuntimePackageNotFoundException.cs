namespace ClinicaDL.Core.Runtime;

/// <summary>No package source given or configured has a package of the runtime; the message names each source and why.</summary>
public sealed class RuntimePackageNotFoundException(string message) : Exception(message);
