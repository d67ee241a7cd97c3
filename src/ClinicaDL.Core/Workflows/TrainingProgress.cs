namespace ClinicaDL.Core.Workflows;

/// <summary>Where a run is: split, epoch and batch, with the time spent so far.</summary>
public sealed record TrainingProgress(int Split, int SplitsDone, int SplitCount, int Epoch, int Epochs, int Batch, int Batches, string Phase, TimeSpan Elapsed)
{
    /// <summary>The splits done so far, the current one counted by its epochs and batches (0 to <see cref="SplitCount"/>).</summary>
    public double SplitsCompleted => SplitsDone + (Epoch + (double)Batch / Math.Max(1, Batches)) / Epochs;
}
