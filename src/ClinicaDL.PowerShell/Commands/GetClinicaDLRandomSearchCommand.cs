using System.Management.Automation;
using ClinicaDL.Core.Search;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// The trials of a random search folder ranked by a validation metric (the first selection metric by default;
/// lowest first for the loss, MAE, RMSE and LR_minus, highest first for the others), unfinished trials last.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClinicaDLRandomSearch")]
[OutputType(typeof(RankedTrial))]
public sealed class GetClinicaDLRandomSearchCommand : ClinicaDLCmdlet
{
    /// <summary>The search folder (Start-ClinicaDLRandomSearch's -OutputPath); trials bind by their SearchPath, folder items by PSPath.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "SearchPath")]
    public string Path { get; set; } = "";

    /// <summary>The validation metric to rank by (loss, BA, AUC, MAE...).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.SelectionMetricCompleter))]
    public string? Metric { get; set; }

    private readonly DistinctPaths _done = new();

    protected override void Process()
    {
        var folder = ProviderPath(Path);
        if (!_done.FirstTime(folder))
        {
            return;
        }
        try
        {
            foreach (var trial in SearchRanking.Rank(folder, Metric))
            {
                WriteObject(trial);
            }
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            WriteError(ToErrorRecord(error, folder));
        }
    }
}
