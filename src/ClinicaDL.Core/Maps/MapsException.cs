namespace ClinicaDL.Core.Maps;

/// <summary>A MAPS folder that cannot be created, read or extended as asked.</summary>
public sealed class MapsException(string message) : Exception(message);
