using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Maps;

/// <summary>The metrics of one data group for one split and selection metric, with their confidence intervals.</summary>
public sealed class MapsMetricRecord
{
    public required string MapsPath { get; init; }
    public required string DataGroup { get; init; }
    public required int Split { get; init; }
    public required string SelectionMetric { get; init; }

    /// <summary>image, or the part mode (patch, slice, roi) of part-level results.</summary>
    public required string Level { get; init; }
    public required IReadOnlyDictionary<string, MetricEstimate> Values { get; init; }

    /// <summary>The group was evaluated with the leakage override: these metrics are biased.</summary>
    public required bool LeakageOverride { get; init; }
    public required string Path { get; init; }
}
