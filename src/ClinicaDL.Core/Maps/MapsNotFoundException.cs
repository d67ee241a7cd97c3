namespace ClinicaDL.Core.Maps;

/// <summary>A path given as a MAPS is not one: it has no maps.json, or it does not exist.</summary>
public sealed class MapsNotFoundException(string root)
    : MapsException(Directory.Exists(root) ? $"'{root}' is not a MAPS: it has no maps.json." : $"The MAPS folder '{root}' does not exist.")
{
    public string Root { get; } = root;
}
