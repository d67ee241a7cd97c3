namespace ClinicaDL.Core.Interpretation;

/// <summary>Sessions mapped so far over all the splits and models of an interpretation.</summary>
public sealed record InterpretationProgress(int Done, int Total, int Split, string SelectionMetric);
