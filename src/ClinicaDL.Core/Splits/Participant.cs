namespace ClinicaDL.Core.Splits;

/// <summary>One participant as a split sees it: the baseline row's demographics and all its session rows.</summary>
internal sealed record Participant(string Id, string Stratum, double? Age, string? Sex, IReadOnlyList<string?[]> Sessions);
