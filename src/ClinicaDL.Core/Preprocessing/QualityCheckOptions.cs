namespace ClinicaDL.Core.Preprocessing;

/// <summary>What the t1-linear quality check examines and where it writes.</summary>
public sealed class QualityCheckOptions
{
    public required string CapsPath { get; init; }

    /// <summary>The TSV to write; the montages go to <c>&lt;its name without extension&gt;_montages/</c> beside it.</summary>
    public required string OutputPath { get; init; }

    /// <summary>The template the images were registered to; null for the module's MNI152NLin2009cSym.</summary>
    public string? TemplatePath { get; init; }

    /// <summary>Check Clinica's uncropped images (<c>res-1x1x1_T1w</c>) instead of the cropped ones (<c>desc-Crop</c>).</summary>
    public bool UseUncroppedImage { get; init; }

    /// <summary>Images checked at once.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
}
