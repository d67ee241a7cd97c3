using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Search;

/// <summary>A trial of a search folder in the ranking by one validation metric.</summary>
public sealed class RankedTrial
{
    /// <summary>1 for the best trial; null for a trial without a value of the metric (not finished, or failed).</summary>
    public required int? Place { get; init; }

    public required int Trial { get; init; }
    public required string Name { get; init; }

    /// <summary>The metric ranked by.</summary>
    public required string Metric { get; init; }

    /// <summary>Its validation value, the mean over the trial's splits (NaN when it has none).</summary>
    public required double Value { get; init; }

    /// <summary>See <see cref="TrialStatus"/>.</summary>
    public required string Status { get; init; }

    public required ReadableDictionary<string> SampledValues { get; init; }
    public required ReadableDictionary<double> ValidationMetrics { get; init; }
    public required string MapsPath { get; init; }

    /// <summary>The search folder.</summary>
    public required string SearchPath { get; init; }
}
