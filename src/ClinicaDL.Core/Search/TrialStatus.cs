namespace ClinicaDL.Core.Search;

/// <summary>
/// Where a trial is: text constants, as every status of the module's output objects. A trained trial ended as its
/// training did (Completed, EarlyStopped, Failed: the training statuses); Get-ClinicaDLRandomSearch also reports
/// trials not finished yet.
/// </summary>
public static class TrialStatus
{
    public const string Completed = Workflows.TrainingStatus.Completed;
    public const string EarlyStopped = Workflows.TrainingStatus.EarlyStopped;
    public const string Failed = Workflows.TrainingStatus.Failed;

    /// <summary>Its MAPS exists but a split is unfinished (the search was stopped during it): the next Start-ClinicaDLRandomSearch resumes it.</summary>
    public const string Incomplete = nameof(Incomplete);

    /// <summary>Drawn but not trained yet (the search was stopped before it).</summary>
    public const string NotStarted = nameof(NotStarted);
}
