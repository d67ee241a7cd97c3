namespace ClinicaDL.Core.Export;

/// <summary>
/// A tensor of the graph being built: its name, and the shape of one sample (channels first, no batch) as the
/// network gives it; the batch dimension is the one left dynamic.
/// </summary>
internal readonly record struct OnnxValue(string Name, long[] Shape);
