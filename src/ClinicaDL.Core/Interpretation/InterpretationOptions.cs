namespace ClinicaDL.Core.Interpretation;

/// <summary>What to interpret: a MAPS data group, by which method, under which name.</summary>
public sealed class InterpretationOptions
{
    public required string MapsPath { get; init; }
    public required string DataGroup { get; init; }

    /// <summary>The interpretation's name: its folder is interpret-&lt;name&gt;.</summary>
    public required string Name { get; init; }

    public required SaliencySettings Settings { get; init; }

    /// <summary>The splits to interpret (all trained splits when null).</summary>
    public IReadOnlyList<int>? Splits { get; init; }

    /// <summary>The selection metrics whose best models are interpreted (the MAPS' own when null).</summary>
    public IReadOnlyList<string>? SelectionMetrics { get; init; }

    /// <summary>Also writes one map per session, not only the mean.</summary>
    public bool SaveIndividual { get; init; }

    /// <summary>Define a new data group from this CAPS and TSV (the leakage rule of prediction applies).</summary>
    public string? CapsPath { get; init; }

    public string? TsvPath { get; init; }

    /// <summary>Proceed although the new group holds participants seen in training (recorded in the group).</summary>
    public bool AllowDataLeakage { get; init; }

    /// <summary>The device to compute on (cpu, cuda, cuda:N); null for the one the MAPS was trained on.</summary>
    public string? Device { get; init; }

    /// <summary>Replace an interpretation of the same name.</summary>
    public bool Overwrite { get; init; }
}
