using ClinicaDL.Core.Imaging;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>What <see cref="AffineRegistration"/> found.</summary>
public sealed class RegistrationResult
{
    /// <summary>
    /// World (RAS millimetre) transform from the template to the participant's image: a template point x lies at
    /// <c>Transform * x</c> in the participant (ITK's fixed-to-moving direction, which resampling needs).
    /// </summary>
    public required AffineMatrix Transform { get; init; }

    /// <summary>The centre of rotation and scaling (the template's centre of mass), as ITK's fixed parameters.</summary>
    public required double[] Centre { get; init; }

    /// <summary>Mattes mutual information (nats) at the finest level after the affine stage.</summary>
    public required double MutualInformation { get; init; }

    /// <summary>Gradient steps taken over every stage and level.</summary>
    public required int Iterations { get; init; }
}
