using ClinicaDL.Core.Datasets;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>An image the quality check could not examine (unreadable, not 3D, off the template's space) and why.</summary>
public sealed record QualityCheckFailure(CapsImage Image, Exception Error);

/// <summary>
/// What a quality check did: the images examined, those it could not examine, where it wrote, and the CAPS's
/// notes (sessions left out, runs chosen).
/// </summary>
public sealed record QualityCheckRun(IReadOnlyList<QualityCheckResult> Results, IReadOnlyList<QualityCheckFailure> Failures, string TsvPath, string MontageFolder,
    IReadOnlyList<string> Notes);
