namespace ClinicaDL.Core.Preprocessing;

/// <summary>What <see cref="T1LinearPipeline"/> does and where it writes.</summary>
public sealed class T1LinearOptions
{
    /// <summary>The CAPS folder the outputs go to (created when absent).</summary>
    public required string CapsPath { get; init; }

    /// <summary>The template to register to; null for the shipped MNI152NLin2009cSym (brain-extracted).</summary>
    public string? TemplatePath { get; init; }

    /// <summary>Keep the whole template grid instead of Clinica's 169x208x179 crop.</summary>
    public bool Uncropped { get; init; }

    /// <summary>Seed of the registration's voxel samples.</summary>
    public int Seed { get; init; }

    /// <summary>Redo images already processed by this module with other parameters (never replaces files it did not make).</summary>
    public bool Overwrite { get; init; }

    /// <summary>libtorch threads for each image (images run one after another: see <see cref="T1LinearPipeline.Run"/>).</summary>
    public int ThreadsPerImage { get; init; } = 1;

    /// <summary>Where to say what a reader should know (a lock of a process that died, taken over).</summary>
    public Action<string>? Log { get; init; }

    public BiasFieldOptions BiasField { get; init; } = new();

    public RegistrationOptions Registration { get; init; } = new();
}
