using System.Text.Json.Serialization;

namespace ClinicaDL.Core.Preprocessing;

/// <summary>One image of a t1-linear run: where its outputs are and how well it registered.</summary>
public sealed class T1LinearResult
{
    public required string ParticipantId { get; init; }

    public required string SessionId { get; init; }

    /// <summary>Done, Skipped or Failed (<see cref="T1LinearStatus"/>).</summary>
    public required string Status { get; init; }

    /// <summary>The preprocessed image in the CAPS (null when the image failed).</summary>
    public string? OutputPath { get; init; }

    /// <summary>The ANTs/ITK affine .mat file.</summary>
    public string? TransformPath { get; init; }

    public required string SourcePath { get; init; }

    public double DurationSeconds { get; init; }

    /// <summary>Mattes mutual information with the template at full resolution (nats).</summary>
    public double MutualInformation { get; init; }

    /// <summary>Correlation of the output with the template inside the template's brain.</summary>
    public double TemplateCorrelation { get; init; }

    /// <summary>Why the image failed (null otherwise).</summary>
    [JsonIgnore]
    public Exception? Error { get; init; }
}
