namespace ClinicaDL.Core.Training;

/// <summary>
/// ClinicaDL's adaptive_learning_rate: torch's ReduceLROnPlateau as ClinicaDL 1.6.1 builds it
/// (<c>ReduceLROnPlateau(optimizer, mode="min", factor=0.1)</c>, torch's other defaults) and steps it once per epoch
/// on the validation loss. A loss improves when it is below best·(1 − threshold) (threshold_mode "rel"); after more
/// than <see cref="Patience"/> epochs without improvement the rate is multiplied by <see cref="Factor"/> (never below
/// <see cref="MinimumRate"/>, and only when that changes it by more than <see cref="Eps"/>), the count restarts and
/// <see cref="Cooldown"/> epochs are ignored. Its whole state is four numbers, kept in the checkpoint.
/// </summary>
public sealed class PlateauReduction
{
    public const double Factor = 0.1;
    public const int Patience = 10;
    public const double Threshold = 1e-4;
    public const int Cooldown = 0;
    public const double MinimumRate = 0;
    public const double Eps = 1e-8;

    /// <summary>The rate the next epoch trains with.</summary>
    public double Rate { get; private set; }

    /// <summary>The lowest validation loss so far; +∞ (torch's mode_worse) before the first.</summary>
    public double Best { get; private set; } = double.PositiveInfinity;

    public int BadEpochs { get; private set; }

    public int CooldownCounter { get; private set; }

    public PlateauReduction(double initialRate) => Rate = initialRate;

    /// <summary>What a checkpoint keeps to continue exactly.</summary>
    public sealed record State(double Rate, double Best, int BadEpochs, int CooldownCounter);

    public State Save() => new(Rate, Best, BadEpochs, CooldownCounter);

    public void Restore(State state) => (Rate, Best, BadEpochs, CooldownCounter) = (state.Rate, state.Best, state.BadEpochs, state.CooldownCounter);

    /// <summary>torch's step(metrics) after an epoch; true when it lowered the rate.</summary>
    public bool Step(double validationLoss)
    {
        // NaN compares false, so a NaN loss is a bad epoch, as in torch.
        if (validationLoss < Best * (1.0 - Threshold))
        {
            (Best, BadEpochs) = (validationLoss, 0);
        }
        else
        {
            BadEpochs++;
        }
        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            BadEpochs = 0;
        }
        if (BadEpochs <= Patience)
        {
            return false;
        }
        (CooldownCounter, BadEpochs) = (Cooldown, 0);
        var reduced = Math.Max(Rate * Factor, MinimumRate);
        if (Rate - reduced <= Eps)
        {
            return false;
        }
        Rate = reduced;
        return true;
    }
}
