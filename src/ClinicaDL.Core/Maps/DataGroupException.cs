namespace ClinicaDL.Core.Maps;

/// <summary>A data group that cannot be defined or used as asked (exists already, is missing, or is reserved for training).</summary>
public sealed class DataGroupException(string message) : MapsException(message);
