namespace ClinicaDL.Core.Search;

/// <summary>Where a search is: which trial, and within it the training's split, epoch and batch (null while a trial is being set up).</summary>
public sealed record SearchProgress(int Trial, int TrialsDone, int TrialCount, string Name, Workflows.TrainingProgress? Training, TimeSpan Elapsed);
