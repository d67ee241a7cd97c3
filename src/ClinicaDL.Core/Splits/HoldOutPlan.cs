namespace ClinicaDL.Core.Splits;

/// <summary>Which participants a hold-out split puts aside, and how balanced it is.</summary>
internal sealed record HoldOutPlan(IReadOnlySet<string> Subset, double PAge, double PSex, int Attempts);
