using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Workflows;

/// <summary>One trained split: how it ended, its best epochs and validation metrics.</summary>
public sealed class TrainingResult
{
    public required int Split { get; init; }

    /// <summary>Completed, EarlyStopped, or Failed (the message says why; the other splits went on).</summary>
    public required string Status { get; init; }

    public string? Message { get; init; }
    public required int EpochsRun { get; init; }

    /// <summary>The epoch kept for each selection metric (best-&lt;metric&gt;/).</summary>
    public required ReadableDictionary<int> BestEpoch { get; init; }

    /// <summary>Validation metrics of the model kept for the first selection metric.</summary>
    public required ReadableDictionary<double> ValidationMetrics { get; init; }

    /// <summary>Wall-clock time of the split, in seconds: one number in CSV and JSON (a TimeSpan exports as its ticks, days, hours...).</summary>
    public required double DurationSeconds { get; init; }
    public required string MapsPath { get; init; }

    public double ValidationBA => ValidationMetrics.GetValueOrDefault("BA", double.NaN);
    public double ValidationLoss => ValidationMetrics.GetValueOrDefault("loss", double.NaN);
}
