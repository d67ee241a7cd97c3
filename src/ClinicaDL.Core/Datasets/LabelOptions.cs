namespace ClinicaDL.Core.Datasets;

/// <summary>The choices of <see cref="LabelBuilder"/> (ClinicaDL <c>tsvtools get-labels</c>).</summary>
public sealed class LabelOptions
{
    /// <summary>Sessions whose diagnosis is not one of these are dropped.</summary>
    public IReadOnlyList<string> Diagnoses { get; init; } = ["AD", "CN"];

    /// <summary>
    /// Each of <see cref="Diagnoses"/> must appear in the diagnosis column (a <see cref="Selection.NotFoundException"/>
    /// otherwise): set when a person named them, so a typo is not a silently smaller cohort. ClinicaDL's default
    /// AD, CN may be partly absent from a dataset.
    /// </summary>
    public bool CheckDiagnoses { get; init; }

    /// <summary>Keep only sessions having an image with this BIDS suffix (e.g. T1w); null keeps all.</summary>
    public string? Modality { get; init; }

    /// <summary>A TSV of (participant_id, session_id) pairs: only those sessions are kept.</summary>
    public string? RestrictionPath { get; init; }

    /// <summary>Extra columns to carry into labels.tsv.</summary>
    public IReadOnlyList<string> VariablesOfInterest { get; init; } = [];

    /// <summary>Drop participants with a single session.</summary>
    public bool RemoveUniqueSession { get; init; }

    /// <summary>Keep participants whose baseline or screening diagnosis is SMC (dropped by default, as ClinicaDL).</summary>
    public bool KeepSmc { get; init; }

    /// <summary>The column holding the diagnosis; by default <c>diagnosis</c>, <c>dx1</c> or the shortest column containing "diagnosis".</summary>
    public string? DiagnosisColumn { get; init; }

    /// <summary>
    /// The session label given to images of a dataset without a session level. Labels need one; none is
    /// invented unless asked for here (ClinicaDL's convention is ses-M000).
    /// </summary>
    public string? DefaultSession { get; init; }
}
