using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Reports;

/// <summary>What Export-MapsReport wrote.</summary>
public sealed class MapsReportResult
{
    public required string MapsPath { get; init; }

    /// <summary>The self-contained HTML report (every picture embedded).</summary>
    public required string ReportPath { get; init; }

    /// <summary>The PNG files, also kept beside the report.</summary>
    public required ReadableList<string> Images { get; init; }
}
