namespace ClinicaDL.Core.Splits;

/// <summary>One written split: a hold-out split folder, or one <c>split-&lt;i&gt;</c> of a k-fold folder.</summary>
public sealed class SplitSet
{
    /// <summary>split, split_2... for a hold-out; 2_fold/split-0... for a fold.</summary>
    public required string Name { get; init; }

    /// <summary>The folder holding train.tsv and the subset files.</summary>
    public required string Path { get; init; }

    /// <summary>HoldOut or KFold.</summary>
    public required string Kind { get; init; }

    /// <summary>The fold number for k-fold splits; null for a hold-out split.</summary>
    public int? Index { get; init; }

    public required string SubsetName { get; init; }
    public required int TrainParticipants { get; init; }
    public required int TrainSessions { get; init; }
    public required int SubsetParticipants { get; init; }
    /// <summary>Sessions in the subset files: baseline only, unless the split was made with -ValidLongitudinal.</summary>
    public required int SubsetSessions { get; init; }

    /// <summary>Age t-test and sex chi-square p-values between subset and train (hold-out only; NaN when not tested).</summary>
    public double PAge { get; init; } = double.NaN;
    public double PSex { get; init; } = double.NaN;

    public required int Seed { get; init; }

    /// <summary>train.tsv: every session of the training participants; the input of a k-fold split or of training.</summary>
    public string TrainPath => System.IO.Path.Combine(Path, "train.tsv");

    /// <summary>The held-out participants' baseline sessions.</summary>
    public string SubsetPath => System.IO.Path.Combine(Path, $"{SubsetName}_baseline.tsv");
}
