namespace ClinicaDL.Core.Interpretation;

/// <summary>One saliency map written in a MAPS: the mean of a data group, or one session's.</summary>
public sealed class InterpretationMap
{
    public required int Split { get; init; }
    public required string SelectionMetric { get; init; }
    public required string DataGroup { get; init; }
    public required string Name { get; init; }
    /// <summary>A <see cref="SaliencyMethod"/> name: a name, not the enum, because JSON writers give an enum's number.</summary>
    public required string Method { get; init; }

    /// <summary>"mean", or "individual" for one session's map.</summary>
    public required string Kind { get; init; }

    public string? ParticipantId { get; init; }
    public string? SessionId { get; init; }

    /// <summary>Sessions averaged (1 for an individual map).</summary>
    public required int SessionCount { get; init; }

    /// <summary>The NIfTI file (with the source images' affine).</summary>
    public required string Path { get; init; }

    /// <summary>The same map as a .tensor file ([1, X, Y, Z], as the network saw the image).</summary>
    public required string TensorPath { get; init; }

    public required string Shape { get; init; }
    public required double Minimum { get; init; }
    public required double Maximum { get; init; }
    public required bool LeakageOverride { get; init; }
    public required string MapsPath { get; init; }
}
