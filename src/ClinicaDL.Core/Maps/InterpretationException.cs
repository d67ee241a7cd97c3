namespace ClinicaDL.Core.Maps;

/// <summary>An interpretation that cannot be made: its name is taken, or the method does not suit the MAPS' network.</summary>
public sealed class InterpretationException(string message) : MapsException(message);
