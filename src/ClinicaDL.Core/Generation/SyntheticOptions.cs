namespace ClinicaDL.Core.Generation;

/// <summary>The choices of a synthetic phantom data set; every one is recorded in synthetic.json.</summary>
public sealed class SyntheticOptions
{
    public static readonly string[] KnownDiagnoses = ["AD", "CN", "MCI"];

    public required string OutputPath { get; init; }
    public int ParticipantCount { get; init; } = 60;
    public int SessionCount { get; init; } = 2;

    /// <summary>Months between sessions (ses-M000, ses-M012...).</summary>
    public int SessionIntervalMonths { get; init; } = 12;

    /// <summary>1, 2 or 3 mm.</summary>
    public int VoxelSize { get; init; } = 2;

    public IReadOnlyList<string> Diagnoses { get; init; } = ["AD", "CN"];

    /// <summary>Scales the disease effect on the images; 0 leaves no trace of the diagnosis in them.</summary>
    public double AtrophyStrength { get; init; } = 1.0;

    public int Seed { get; init; }

    /// <summary>
    /// BIDS images in scanner space (a random pose, voxel grid, orientation, bias field and noise per session) instead
    /// of the CAPS image itself; the true transforms go to transforms.tsv and the phantom template to template/.
    /// </summary>
    public bool Raw { get; init; }

    /// <summary>Worker threads; by default every core.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
}
