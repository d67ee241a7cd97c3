using System.Management.Automation;
using ClinicaDL.Core.Search;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// The trials of random search folders ranked by a validation metric (the first selection metric by default;
/// lowest first for the loss, MAE, RMSE and LR_minus, highest first for the others), unfinished trials last.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClinicaDLRandomSearch", DefaultParameterSetName = PathSet)]
[OutputType(typeof(RankedTrial))]
public sealed class GetClinicaDLRandomSearchCommand : PathInputCmdlet
{
    /// <summary>The validation metric to rank by (loss, BA, AUC, MAE...).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.MetricCompleter))]
    public string? Metric { get; set; }

    private readonly DistinctPaths _done = new();

    protected override void Process()
    {
        foreach (var folder in InputPaths(Directory.Exists).Where(f => _done.FirstTime(f)))
        {
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
}
