namespace ClinicaDL.Core.Search;

/// <summary>What this call of the search did with a trial: text constants for <see cref="RandomSearchTrial.Run"/>.</summary>
public static class TrialRun
{
    /// <summary>Trained from the start.</summary>
    public const string Trained = nameof(Trained);

    /// <summary>Continued from its checkpoints (a stopped search), as Resume-ClinicaDLTraining does.</summary>
    public const string Resumed = nameof(Resumed);

    /// <summary>Trained again from the start: its MAPS had been stopped before its creation finished.</summary>
    public const string Restarted = nameof(Restarted);

    /// <summary>Already finished by an earlier call: kept as it was and reported.</summary>
    public const string Kept = nameof(Kept);
}
