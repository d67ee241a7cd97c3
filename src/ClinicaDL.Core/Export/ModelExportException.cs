namespace ClinicaDL.Core.Export;

/// <summary>
/// A network that cannot be written in the asked format: names the network, the layer (its path in the state
/// dict, as convolutions.3 or fc.1) and why, so the refusal says exactly what has no translation.
/// </summary>
public sealed class ModelExportException(string network, string layer, string message) : Exception(message)
{
    /// <summary>The architecture (Conv5_FC3...) or the module's name.</summary>
    public string Network { get; } = network;

    /// <summary>The layer's path in the network ("" for the network itself).</summary>
    public string Layer { get; } = layer;
}
