using System.Management.Automation;
using ClinicaDL.Core.Maps;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// The metrics of a MAPS: one object per split x selection metric x data group, each metric a property (BA,
/// accuracy...) with its interval as &lt;metric&gt;_Lower and &lt;metric&gt;_Upper, so Measure-Object and
/// Format-Table work directly.
/// </summary>
[Cmdlet(VerbsCommon.Get, "MapsResult")]
[OutputType(TypeName, RegressionTypeName, ReconstructionTypeName)]
public sealed class GetMapsResultCommand : ClinicaDLCmdlet
{
    public const string TypeName = "ClinicaDL.MapsMetric";

    /// <summary>Regression results get their own view (R2, MAE, RMSE instead of BA, sensitivity...).</summary>
    public const string RegressionTypeName = "ClinicaDL.RegressionMapsMetric";

    /// <summary>Reconstruction results: MAE, RMSE, PSNR, SSIM.</summary>
    public const string ReconstructionTypeName = "ClinicaDL.ReconstructionMapsMetric";

    /// <summary>The MAPS folder; folder items from Get-ChildItem bind through their PSPath.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    public string MapsPath { get; set; } = "";

    [ArgumentCompleter(typeof(Completers.DataGroupCompleter))]
    [Parameter(Position = 1)]
    public string[]? DataGroup { get; set; }

    [ArgumentCompleter(typeof(Completers.SplitCompleter))]
    [Parameter]
    public int[]? Split { get; set; }

    [ArgumentCompleter(typeof(Completers.SelectionMetricCompleter))]
    [Parameter]
    [Alias("SelectionMetrics")]
    public string[]? SelectionMetric { get; set; }

    /// <summary>Image (default): one result per session, voted from the parts in patch, slice and ROI MAPS; Part: the per-part results.</summary>
    [Parameter]
    [ValidateSet("Image", "Part")]
    public string Level { get; set; } = "Image";

    private readonly DistinctPaths _done = new();

    protected override void Process()
    {
        var maps = ProviderPath(MapsPath);
        if (!_done.FirstTime(maps))
        {
            return;
        }
        try
        {
            var query = MapsResults.Query(maps, DataGroup, Split, SelectionMetric, partLevel: Level == "Part");
            foreach (var missing in query.Missing)
            {
                WriteError(SelectionErrors.NotFound(missing));
            }
            foreach (var record in query.Records)
            {
                var result = new PSObject();
                result.TypeNames.Insert(0, record.Values.ContainsKey("R2_score") ? RegressionTypeName : record.Values.ContainsKey("SSIM") ? ReconstructionTypeName : TypeName);
                result.Properties.Add(new PSNoteProperty("DataGroup", record.DataGroup));
                result.Properties.Add(new PSNoteProperty("Split", record.Split));
                result.Properties.Add(new PSNoteProperty("SelectionMetric", record.SelectionMetric));
                result.Properties.Add(new PSNoteProperty("Level", record.Level));
                // On every row, true or false: Export-Csv takes its columns from the first row, and an exported
                // table must keep the mark of a group evaluated with the leakage override.
                result.Properties.Add(new PSNoteProperty("LeakageOverride", record.LeakageOverride));
                foreach (var (name, estimate) in record.Values)
                {
                    result.Properties.Add(new PSNoteProperty(name, estimate.Value));
                }
                foreach (var (name, estimate) in record.Values.Where(v => !double.IsNaN(v.Value.Lower)))
                {
                    result.Properties.Add(new PSNoteProperty($"{name}_Lower", estimate.Lower));
                    result.Properties.Add(new PSNoteProperty($"{name}_Upper", estimate.Upper));
                    result.Properties.Add(new PSNoteProperty($"{name}_SE", estimate.StandardError));
                }
                result.Properties.Add(new PSNoteProperty("MapsPath", record.MapsPath));
                result.Properties.Add(new PSNoteProperty("Path", record.Path));
                WriteObject(result);
            }
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            WriteError(ToErrorRecord(error, MapsPath));
        }
    }
}
