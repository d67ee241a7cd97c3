namespace ClinicaDL.Core.Splits;

/// <summary>A hold-out split (ClinicaDL <c>tsvtools split</c>), seeded and bounded.</summary>
public sealed class HoldOutOptions
{
    /// <summary>At least 1: that many participants; below 1: that fraction of them; 0: no subset, all in train.</summary>
    public double TestSize { get; init; } = 100;

    /// <summary>Name of the held-out subset: test (a hold-out test set) or validation.</summary>
    public string SubsetName { get; init; } = "test";

    public string Stratification { get; init; } = "diagnosis";

    /// <summary>The age t-test must reach this p-value between the subset and train.</summary>
    public double PAgeThreshold { get; init; } = 0.80;

    /// <summary>The sex chi-square test must reach this p-value.</summary>
    public double PSexThreshold { get; init; } = 0.80;

    public bool IgnoreDemographics { get; init; }

    /// <summary>Also write <c>&lt;subset&gt;.tsv</c> with every session of the subset participants.</summary>
    public bool ValidLongitudinal { get; init; }

    public int Seed { get; init; }

    /// <summary>Draws tried before giving up (ClinicaDL tries forever).</summary>
    public int MaxAttempts { get; init; } = 10000;
}
