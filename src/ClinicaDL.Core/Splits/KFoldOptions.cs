namespace ClinicaDL.Core.Splits;

/// <summary>A stratified k-fold split of participants (ClinicaDL <c>tsvtools kfold</c>), seeded.</summary>
public sealed class KFoldOptions
{
    public int Folds { get; init; } = 5;

    public string SubsetName { get; init; } = "validation";

    public string Stratification { get; init; } = "diagnosis";

    /// <summary>Also write <c>&lt;subset&gt;.tsv</c> with every session of the held-out participants.</summary>
    public bool ValidLongitudinal { get; init; }

    public int Seed { get; init; }
}
