namespace ClinicaDL.Core.Training;

/// <summary>
/// One sample: a session's image (or, in patch, slice and ROI modes, its part number <see cref="Part"/>) and its
/// label as written in the TSV.
/// </summary>
public sealed record LabeledImage(string ParticipantId, string SessionId, string? Label, string ImagePath, int Part = 0);
