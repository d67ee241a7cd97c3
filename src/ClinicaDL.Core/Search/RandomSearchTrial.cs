using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Search;

/// <summary>One trial of a random search: its drawn values, how its training ended and its validation metrics.</summary>
public sealed class RandomSearchTrial
{
    /// <summary>The trial's index, from 0: its draws depend on the search seed and this index only.</summary>
    public required int Trial { get; init; }

    /// <summary>Its folder name (trial-0, trial-1...).</summary>
    public required string Name { get; init; }

    /// <summary>See <see cref="TrialStatus"/>.</summary>
    public required string Status { get; init; }

    /// <summary>What this call did with it (see <see cref="TrialRun"/>).</summary>
    public required string Run { get; init; }

    /// <summary>The drawn values by ClinicaDL key (the convolutional blocks as channels and layers).</summary>
    public required ReadableDictionary<string> SampledValues { get; init; }

    /// <summary>
    /// Validation metrics of the model kept for the first selection metric (best-&lt;metric&gt;/validation), the mean
    /// over the trained splits; empty when the trial has none.
    /// </summary>
    public required ReadableDictionary<double> ValidationMetrics { get; init; }

    /// <summary>Why the training failed, when it did.</summary>
    public string? Message { get; init; }

    /// <summary>The trial's MAPS.</summary>
    public required string MapsPath { get; init; }

    public double ValidationBA => ValidationMetrics.GetValueOrDefault("BA", double.NaN);
    public double ValidationLoss => ValidationMetrics.GetValueOrDefault("loss", double.NaN);
}
