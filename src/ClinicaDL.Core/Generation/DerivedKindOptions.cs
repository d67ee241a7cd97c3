namespace ClinicaDL.Core.Generation;

/// <summary>
/// The choices of ClinicaDL's other generators (reference: <c>clinicadl generate trivial|random|shepplogan</c>).
/// Trivial and Random draw from the t1-linear images of an existing CAPS; SheppLogan needs no input.
/// </summary>
public sealed class DerivedKindOptions
{
    public required string OutputPath { get; init; }

    /// <summary>The input CAPS (Trivial, Random).</summary>
    public string? CapsPath { get; init; }

    /// <summary>Images per class (Trivial: AD and CN images, two per source image pair; Random: AD and CN).</summary>
    public int ParticipantCount { get; init; } = 300;

    /// <summary>Trivial: the intensity lost in the atrophied hemisphere, in percent (ClinicaDL default 60).</summary>
    public double AtrophyPercent { get; init; } = 60;

    /// <summary>Random: the Gaussian noise added to the input image.</summary>
    public double NoiseMean { get; init; }
    public double NoiseStd { get; init; } = 0.5;

    /// <summary>SheppLogan: the side of the phantom in pixels.</summary>
    public int ImageSize { get; init; } = 128;

    /// <summary>SheppLogan: probabilities of subtypes 0, 1, 2 for CN and AD (ClinicaDL's defaults).</summary>
    public double[] CnSubtypes { get; init; } = [1.0, 0.0, 0.0];
    public double[] AdSubtypes { get; init; } = [0.05, 0.85, 0.10];

    /// <summary>SheppLogan: Gaussian smoothing with sigma ~ U(0, 1) x size / 100.</summary>
    public bool Smoothing { get; init; }

    /// <summary>SheppLogan: ellipsoids in a cube instead of ClinicaDL's 2D slices.</summary>
    public bool ThreeDimensional { get; init; }

    public int Seed { get; init; }
}
