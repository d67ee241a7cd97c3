namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// The quality check of one t1-linear image: how much it looks like the template, how it compares with the rest of
/// the cohort, what its registration transform did, and the verdict with the reason for a failure. One row of the
/// QC TSV; the figures are rounded to 5 decimals as written there.
/// </summary>
public sealed class QualityCheckResult
{
    public required string ParticipantId { get; init; }
    public required string SessionId { get; init; }

    /// <summary>Whether every check of <see cref="QualityCheckRule"/> passed.</summary>
    public required bool Pass { get; init; }

    /// <summary>
    /// ClinicaDL's column, whose network gives a probability; the measured check has none, so this is 1 for a pass
    /// and 0 for a failure (a threshold anywhere between selects exactly the passing images).
    /// </summary>
    public double PassProbability => Pass ? 1 : 0;

    /// <summary>Pearson correlation with the template over the template's brain.</summary>
    public required double TemplateCorrelation { get; init; }

    /// <summary>Normalised mutual information (symmetric uncertainty, 0 to 1) with the template over its brain.</summary>
    public required double MutualInformation { get; init; }

    /// <summary>
    /// The template correlation minus the correlation with the template mirrored along an axis, the smallest over the
    /// axes the template is asymmetric about: negative when the image fits a mirrored template better (a flipped
    /// image); null when the template is symmetric along every axis.
    /// </summary>
    public double? OrientationMargin { get; init; }

    /// <summary>Robust z-score of the correlation against the cohort (median, 1.4826 MAD); null under 5 images.</summary>
    public double? CorrelationZ { get; init; }

    /// <summary>Robust z-score of the mutual information against the cohort; null under 5 images.</summary>
    public double? MutualInformationZ { get; init; }

    /// <summary>The lower of the two z-scores: how far the image lies below the cohort by either measure.</summary>
    public double? RobustZ => CorrelationZ is null || MutualInformationZ is null ? null : Math.Min(CorrelationZ.Value, MutualInformationZ.Value);

    /// <summary>Whether a transform (.mat) was found and checked; without one the image is checked on its similarity only.</summary>
    public required bool TransformChecked { get; init; }

    /// <summary>The template-to-participant transform's scales, shears (xy, xz, yz), rotation and determinant; null without a readable transform.</summary>
    public double? ScaleX { get; init; }
    public double? ScaleY { get; init; }
    public double? ScaleZ { get; init; }
    public double? ShearXY { get; init; }
    public double? ShearXZ { get; init; }
    public double? ShearYZ { get; init; }
    public double? RotationDegrees { get; init; }
    public double? Determinant { get; init; }

    /// <summary>Every check that failed with its value and limit, separated by "; "; empty for a pass.</summary>
    public required string Reason { get; init; }

    public required string ImagePath { get; init; }

    /// <summary>The transform file beside the image; null when there is none.</summary>
    public string? TransformPath { get; init; }

    public required string MontagePath { get; init; }
}
