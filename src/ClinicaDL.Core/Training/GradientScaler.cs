namespace ClinicaDL.Core.Training;

/// <summary>
/// PyTorch's GradScaler, which TorchSharp 0.107 lacks, for float16 training: the loss is multiplied by a scale
/// before the backward pass so that small gradients do not vanish in float16's range, the gradients are divided
/// by it again before the step, a step whose gradients overflowed is skipped and the scale halved, and after
/// 2000 steps in a row without overflow the scale doubles (PyTorch's defaults). bfloat16 has float32's range and
/// needs none.
/// </summary>
public sealed class GradientScaler
{
    public const double InitialScale = 65536;
    public const double GrowthFactor = 2;
    public const double BackoffFactor = 0.5;
    public const int GrowthInterval = 2000;

    /// <summary>What a checkpoint keeps, so that a resumed run scales exactly as an uninterrupted one.</summary>
    public sealed record State(double Scale, int StepsWithoutOverflow);

    public double Scale { get; private set; } = InitialScale;

    public int StepsWithoutOverflow { get; private set; }

    public State Save() => new(Scale, StepsWithoutOverflow);

    public void Restore(State state) => (Scale, StepsWithoutOverflow) = (state.Scale, state.StepsWithoutOverflow);

    /// <summary>Records a step's outcome: true when its gradients were finite and it may be taken.</summary>
    public bool Update(bool finiteGradients)
    {
        if (!finiteGradients)
        {
            Scale *= BackoffFactor;
            StepsWithoutOverflow = 0;
            return false;
        }
        if (++StepsWithoutOverflow == GrowthInterval)
        {
            Scale *= GrowthFactor;
            StepsWithoutOverflow = 0;
        }
        return true;
    }
}
