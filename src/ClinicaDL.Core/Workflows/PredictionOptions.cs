namespace ClinicaDL.Core.Workflows;

/// <summary>What <see cref="Predictor"/> evaluates and how.</summary>
public sealed class PredictionOptions
{
    public required string MapsPath { get; init; }
    public required string DataGroup { get; init; }

    /// <summary>CAPS and TSV of a new data group (an existing group keeps its own unless redefined with <see cref="Overwrite"/>).</summary>
    public string? CapsPath { get; init; }
    public string? TsvPath { get; init; }

    public IReadOnlyList<string>? SelectionMetrics { get; init; }
    public IReadOnlyList<int>? Splits { get; init; }

    /// <summary>Predict without labels (no metrics).</summary>
    public bool NoLabel { get; init; }

    /// <summary>Evaluate participants seen in training anyway; the override is recorded in the group's maps.json.</summary>
    public bool AllowDataLeakage { get; init; }

    /// <summary>Reconstruction: write every input and its reconstruction as tensors (ClinicaDL's --save_tensor).</summary>
    public bool SaveTensor { get; init; }

    /// <summary>Reconstruction: write every input and its reconstruction as NIfTI (ClinicaDL's --save_nifti; whole images).</summary>
    public bool SaveNifti { get; init; }

    /// <summary>The device to evaluate on (cpu, cuda, cuda:N); null for the one the MAPS was trained on.</summary>
    public string? Device { get; init; }

    /// <summary>Redefine an existing data group, deleting its earlier results.</summary>
    public bool Overwrite { get; init; }
}
