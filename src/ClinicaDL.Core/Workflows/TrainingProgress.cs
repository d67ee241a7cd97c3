namespace ClinicaDL.Core.Workflows;

/// <summary>Where a run is: split, epoch and batch, with the time spent so far.</summary>
public sealed record TrainingProgress(int Split, int SplitsDone, int SplitCount, int Epoch, int Epochs, int Batch, int Batches, string Phase, TimeSpan Elapsed);
