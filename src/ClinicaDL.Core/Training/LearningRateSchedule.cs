namespace ClinicaDL.Core.Training;

/// <summary>
/// The learning rate of each epoch. Our learning_rate_schedule is a pure function of the epoch (so a resumed run
/// needs no state for it): an optional linear warm-up of learning_rate_warmup_epochs epochs, then over the remaining
/// epochs constant, step (torch's StepLR closed form: ×learning_rate_gamma every learning_rate_step_size epochs) or
/// cosine (torch's CosineAnnealingLR closed form with T_max the remaining epochs, down towards learning_rate_min).
/// ClinicaDL's adaptive_learning_rate instead follows the validation loss (<see cref="PlateauReduction"/>), whose
/// state the checkpoint keeps; the configuration refuses it with any other schedule or a warm-up.
/// </summary>
public sealed class LearningRateSchedule
{
    public const string Constant = "constant";
    public const string Step = "step";
    public const string Cosine = "cosine";

    /// <summary>The values of learning_rate_schedule (and of Start-ClinicaDLTraining's -LearningRateSchedule).</summary>
    public static IReadOnlyList<string> Names { get; } = [Constant, Step, Cosine];

    private readonly TrainingConfig _config;

    /// <summary>Set with adaptive_learning_rate: it decides every epoch's rate.</summary>
    public PlateauReduction? Plateau { get; }

    public LearningRateSchedule(TrainingConfig config)
    {
        _config = config;
        Plateau = config.AdaptiveLearningRate ? new PlateauReduction(config.LearningRate) : null;
    }

    /// <summary>The rate epoch <paramref name="epoch"/> (from 0) trains with.</summary>
    public double Rate(int epoch) => Plateau?.Rate ?? Scheduled(_config, epoch);

    /// <summary>Called once per epoch after evaluation, as ClinicaDL steps its scheduler; true when the rate was lowered.</summary>
    public bool EpochEnded(double validationLoss) => Plateau?.Step(validationLoss) ?? false;

    /// <summary>
    /// The scheduled rate of an epoch. Warm-up epoch e (e &lt; W) trains with learning_rate·(e+1)/(W+1), so each of
    /// the W epochs is below the full rate and epoch W is the first at it; the schedule then runs over the other
    /// epochs, t = e − W of T = epochs − W.
    /// </summary>
    public static double Scheduled(TrainingConfig config, int epoch)
    {
        var (rate, warmup) = (config.LearningRate, config.LearningRateWarmupEpochs);
        if (epoch < warmup)
        {
            return rate * (epoch + 1) / (warmup + 1);
        }
        var (t, span) = (epoch - warmup, config.Epochs - warmup);
        return config.LearningRateSchedule switch
        {
            Constant => rate,
            Step => rate * Math.Pow(config.LearningRateGamma, t / config.LearningRateStepSize),
            // The last epoch (t = T − 1) is still above the minimum, which torch reaches at t = T, after the run.
            Cosine => config.LearningRateMin + (rate - config.LearningRateMin) * (1 + Math.Cos(Math.PI * t / span)) / 2,
            var other => throw new ArgumentException($"learning_rate_schedule: expected {string.Join(", ", Names)}; got {other}.", "learning_rate_schedule"),
        };
    }
}
