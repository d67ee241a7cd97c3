namespace ClinicaDL.Core.Extraction;

/// <summary>Images extracted (or found already extracted) so far.</summary>
public sealed record ExtractionProgress(int Done, int Total);
