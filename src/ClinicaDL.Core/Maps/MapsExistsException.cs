using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Maps;

/// <summary>A training would create a MAPS where one (or anything else) already is, and replacing it was not asked for.</summary>
public sealed class MapsExistsException(string path, string message) : OutputExistsException(path, message);
