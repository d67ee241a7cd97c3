namespace ClinicaDL.Core.Preprocessing;

/// <summary>What N4 bias field correction found: the corrected image, the field it divided by and where it looked.</summary>
public sealed class BiasFieldResult(Volume corrected, Volume field, Volume mask, int iterations, double finalConvergence)
{
    /// <summary>The image divided by <see cref="Field"/>.</summary>
    public Volume Corrected { get; } = corrected;

    /// <summary>The multiplicative bias field: positive everywhere, with mean 1 inside <see cref="Mask"/>.</summary>
    public Volume Field { get; } = field;

    /// <summary>The foreground the field was estimated on (1) and the rest (0): the given mask, or Otsu's.</summary>
    public Volume Mask { get; } = mask;

    /// <summary>Iterations run, summed over the fitting levels.</summary>
    public int Iterations { get; } = iterations;

    /// <summary>The coefficient of variation of the field's change in the last iteration.</summary>
    public double FinalConvergence { get; } = finalConvergence;
}
