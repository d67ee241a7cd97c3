namespace ClinicaDL.Core.Preprocessing;

/// <summary>
/// What became of one image: the values of <see cref="T1LinearResult.Status"/>, text as every status of the
/// module's output objects (an enumeration would export as a number to JSON).
/// </summary>
public static class T1LinearStatus
{
    /// <summary>Preprocessed in this run.</summary>
    public const string Done = nameof(Done);

    /// <summary>Already preprocessed from the same file with the same parameters and template: left as it was.</summary>
    public const string Skipped = nameof(Skipped);

    /// <summary>Could not be preprocessed; <see cref="T1LinearResult.Error"/> says why, and nothing of it was written.</summary>
    public const string Failed = nameof(Failed);
}
