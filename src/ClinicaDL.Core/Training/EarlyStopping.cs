namespace ClinicaDL.Core.Training;

/// <summary>
/// ClinicaDL's early stopping: the validation loss improves when it falls below the best so far by more than
/// <c>tolerance</c> times that best; training stops after <c>patience</c> epochs without improvement (never with
/// patience 0). Its state goes into the checkpoint so a resumed run stops where an uninterrupted one would.
/// </summary>
public sealed class EarlyStopping(int patience, double tolerance)
{
    public double BestLoss { get; private set; } = double.PositiveInfinity;
    public int EpochsWithoutImprovement { get; private set; }

    /// <summary>Takes the state a checkpoint kept.</summary>
    public void Restore(double bestLoss, int epochsWithoutImprovement) => (BestLoss, EpochsWithoutImprovement) = (bestLoss, epochsWithoutImprovement);

    /// <summary>Records an epoch's validation loss; true when the training should stop after this epoch.</summary>
    public bool Update(double validationLoss)
    {
        // The first loss is the first best, as ClinicaDL's best = None start: measured against infinity, a tolerance
        // would compare with inf - inf = NaN and never count an improvement.
        if (double.IsPositiveInfinity(BestLoss) || validationLoss < BestLoss - BestLoss * tolerance)
        {
            (BestLoss, EpochsWithoutImprovement) = (validationLoss, 0);
        }
        else
        {
            EpochsWithoutImprovement++;
        }
        return patience > 0 && EpochsWithoutImprovement >= patience;
    }
}
