using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Workflows;

/// <summary>One session's prediction by one split's model kept for one selection metric.</summary>
public sealed class PredictionRow
{
    public required string DataGroup { get; init; }
    public required int Split { get; init; }
    public required string SelectionMetric { get; init; }
    public required string ParticipantId { get; init; }
    public required string SessionId { get; init; }

    /// <summary>The label as in the TSV (null without labels).</summary>
    public string? TrueLabel { get; init; }

    /// <summary>The predicted class name, or the predicted value for regression (null for reconstruction).</summary>
    public required string? PredictedLabel { get; init; }

    /// <summary>Reconstruction: MAE, RMSE, PSNR and SSIM of this session's reconstruction (empty for the other tasks).</summary>
    public ReadableDictionary<double> ReconstructionMetrics { get; init; } = new([]);

    /// <summary>Class probabilities in label-code order (empty for regression).</summary>
    public required ReadableList<double> Probabilities { get; init; }

    /// <summary>True when the group holds participants seen in training and -Force made the evaluation anyway.</summary>
    public required bool LeakageOverride { get; init; }

    public required string MapsPath { get; init; }
}
