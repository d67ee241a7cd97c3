namespace ClinicaDL.Core.Preprocessing;

/// <summary>One raw T1-weighted image to preprocess, with the participant and session it belongs to.</summary>
public sealed record T1LinearInput(string ParticipantId, string SessionId, string Path);
