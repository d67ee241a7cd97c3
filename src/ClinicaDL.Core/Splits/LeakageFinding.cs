using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Splits;

/// <summary>The kinds of data leakage the audit detects; the names are stable (scripts and tests use them).</summary>
public enum LeakageKind
{
    /// <summary>The same (participant, session) on both sides of a split. Scenario: biased split.</summary>
    ParticipantOnBothSides,

    /// <summary>A training participant's other session held out. Scenario: biased split (split by session, not participant).</summary>
    LaterSessionHeldOut,

    /// <summary>The same (participant, session) twice in one file. Scenario: late split (samples duplicated before splitting).</summary>
    DuplicateRows,

    /// <summary>A participant held out by two folds. Scenario: biased ensemble (fold models evaluated on data other folds trained on).</summary>
    OverlappingValidationFolds,

    /// <summary>A participant of the k-fold data held out by no fold. Scenario: biased ensemble.</summary>
    IncompleteFoldCoverage,

    /// <summary>A test participant inside the cross-validation data nested under its split. Scenario: no independent test set.</summary>
    TestParticipantInTraining,

    /// <summary>Cross-validation with no held-out test split above it. Scenario: no independent test set.</summary>
    NoIndependentTestSet,

    /// <summary>A participant of the evaluated data listed in a MAPS' groups/train+validation.tsv. Scenarios: no independent test set, biased transfer learning.</summary>
    SeenInTraining,

    /// <summary>The audit found no split to examine: never a pass.</summary>
    NothingExamined,

    /// <summary>A split file with a header and no row.</summary>
    EmptySplitFile,
}

/// <summary>One leakage problem: what, who, where.</summary>
public sealed class LeakageFinding
{
    /// <summary>A <see cref="LeakageKind"/> name: a name, not the enum, because JSON writers give an enum's number.</summary>
    public required string Kind { get; init; }

    /// <summary>Which of the five leakage scenarios (Wen et al., 2020) this is an instance of.</summary>
    public required string Scenario { get; init; }

    /// <summary>Error: results would be contaminated. Warning: a missing safeguard.</summary>
    public required string Severity { get; init; }

    public required ReadableList<string> Participants { get; init; }
    public required ReadableList<string> Files { get; init; }
    public required string Message { get; init; }

    /// <summary>What a list of findings (<see cref="LeakageAudit.Findings"/>) shows in one table cell.</summary>
    public override string ToString() => $"{Kind} ({Severity})";
}
