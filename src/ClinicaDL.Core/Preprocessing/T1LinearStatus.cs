namespace ClinicaDL.Core.Preprocessing;

/// <summary>What became of one image.</summary>
public enum T1LinearStatus
{
    /// <summary>Preprocessed in this run.</summary>
    Done,

    /// <summary>Already preprocessed from the same file with the same parameters and template: left as it was.</summary>
    Skipped,

    /// <summary>Could not be preprocessed; <see cref="T1LinearResult.Error"/> says why, and nothing of it was written.</summary>
    Failed,
}
