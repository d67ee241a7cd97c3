namespace ClinicaDL.Core.Maps;

/// <summary>
/// A MAPS that cannot be read or extended as asked (a best model or a table it lacks, an input it was not trained
/// on). The families a user acts on differently derive from it: <see cref="MapsNotFoundException"/>,
/// <see cref="DataGroupException"/>, <see cref="InterpretationException"/>.
/// </summary>
public class MapsException(string message, Exception? inner = null) : Exception(message, inner);
