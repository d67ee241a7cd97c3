using System.Management.Automation;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Reports;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Writes the PNG pictures of a MAPS (learning curves, confusion matrices, ROC curves, saliency overlays) and a
/// self-contained report.html, by default in &lt;maps&gt;/report. Emits one <see cref="MapsReportResult"/>.
/// </summary>
[Cmdlet(VerbsData.Export, "MapsReport", SupportsShouldProcess = true)]
[OutputType(typeof(MapsReportResult))]
public sealed class ExportMapsReportCommand : ClinicaDLCmdlet
{
    /// <summary>The MAPS folder; folder items from Get-ChildItem bind through their PSPath, training and prediction results through their MapsPath.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    public string MapsPath { get; set; } = "";

    /// <summary>The folder of the report and its pictures (default: &lt;maps&gt;/report).</summary>
    [Parameter(Position = 1)]
    public string? OutputPath { get; set; }

    private readonly DistinctPaths _done = new();

    protected override void Process()
    {
        var maps = ProviderPath(MapsPath);
        if (!_done.FirstTime(maps))
        {
            return;
        }
        var output = OutputPath is null ? new MapsLayout(maps).Report : ProviderPath(OutputPath);
        if (!ShouldProcess(output, $"Write the report of {maps}"))
        {
            return;
        }
        const string activity = "Rendering the MAPS report";
        try
        {
            var result = BackgroundWork.Run<MapsReportResult, string>(this,
                (progress, _) => MapsReport.Write(maps, output, progress, StopToken),
                step => WriteProgress(new ProgressRecord(1, activity, step)));
            WriteProgress(new ProgressRecord(1, activity, "done") { RecordType = ProgressRecordType.Completed });
            WriteObject(result);
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            WriteError(ToErrorRecord(error, maps));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
