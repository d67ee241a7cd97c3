namespace ClinicaDL.Core.Search;

/// <summary>
/// Where a search is: which trial, and within it the training's split, epoch and batch (null while a trial is being set
/// up); <paramref name="Finished"/> is the trial that just ended, reported once, so a caller can hand each result on as it comes.
/// </summary>
public sealed record SearchProgress(int Trial, int TrialsDone, int TrialCount, string Name, Workflows.TrainingProgress? Training, TimeSpan Elapsed,
    RandomSearchTrial? Finished = null);
