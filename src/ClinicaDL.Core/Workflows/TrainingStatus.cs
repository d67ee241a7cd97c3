namespace ClinicaDL.Core.Workflows;

/// <summary>
/// How a split's training ended: the values of <see cref="TrainingResult.Status"/>, text as every status of the
/// module's output objects (an enumeration would export as a number to JSON).
/// </summary>
public static class TrainingStatus
{
    /// <summary>Trained for every epoch asked.</summary>
    public const string Completed = nameof(Completed);

    /// <summary>Stopped when the validation loss had not improved for patience epochs.</summary>
    public const string EarlyStopped = nameof(EarlyStopped);

    /// <summary>Could not go on (the loss became infinite or NaN); the message says why, the other splits went on.</summary>
    public const string Failed = nameof(Failed);
}
