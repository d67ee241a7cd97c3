namespace ClinicaDL.Core.Datasets;

/// <summary>One diagnosis group's demographics, as a row of ClinicaDL's <c>analysis</c> table.</summary>
public sealed class DemographicsRow
{
    public required string Group { get; init; }
    public required int Subjects { get; init; }
    public required double MeanAge { get; init; }
    public required double StdAge { get; init; }
    public required double MinAge { get; init; }
    public required double MaxAge { get; init; }
    public required int SexF { get; init; }
    public required int SexM { get; init; }
    public required double MeanMmse { get; init; }
    public required double StdMmse { get; init; }
    public required double MinMmse { get; init; }
    public required double MaxMmse { get; init; }
    public required int Cdr0 { get; init; }
    public required int Cdr05 { get; init; }
    public required int Cdr1 { get; init; }
    public required int Cdr2 { get; init; }
    public required int Cdr3 { get; init; }
    public required double MeanScans { get; init; }
    public required double StdScans { get; init; }
    public required int Scans { get; init; }
}
