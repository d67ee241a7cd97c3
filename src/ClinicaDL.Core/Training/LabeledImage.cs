namespace ClinicaDL.Core.Training;

/// <summary>One sample: a session's image and its label as written in the TSV.</summary>
public sealed record LabeledImage(string ParticipantId, string SessionId, string? Label, string ImagePath);
