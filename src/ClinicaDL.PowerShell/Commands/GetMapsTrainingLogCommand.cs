using System.Management.Automation;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// The per-epoch rows of each split's training.tsv, with Split and Network properties (Network is set for a
/// multi-network MAPS, one log per network), for plotting and comparison. A log with no epoch row is a warning
/// naming the file and why (ClinicaDL 1.6 writes none when evaluation_steps = 0).
/// </summary>
[Cmdlet(VerbsCommon.Get, "MapsTrainingLog")]
[OutputType(RowTypeName)]
public sealed class GetMapsTrainingLogCommand : ClinicaDLCmdlet
{
    public const string RowTypeName = "ClinicaDL.TrainingLogRow";

    /// <summary>The MAPS folder; folder items from Get-ChildItem bind through their PSPath.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    public string MapsPath { get; set; } = "";

    [ArgumentCompleter(typeof(Completers.SplitCompleter))]
    [Parameter]
    public int[]? Split { get; set; }

    private readonly DistinctPaths _done = new();

    protected override void Process()
    {
        var path = ProviderPath(MapsPath);
        if (!_done.FirstTime(Path.GetFullPath(path)))
        {
            return;
        }
        MapsFolder maps;
        try
        {
            maps = MapsFolder.Open(path);
        }
        catch (MapsNotFoundException missing)
        {
            WriteError(ToErrorRecord(missing, MapsPath));
            return;
        }
        foreach (var missing in MapsSelection.MissingSplits(maps, Split))
        {
            WriteError(SelectionErrors.NotFound(missing));
        }
        foreach (var split in maps.Splits.Where(s => Split is null || Split.Contains(s)))
        {
            foreach (var (network, log) in maps.Split(split).TrainingLogFiles())
            {
                var table = TsvTable.Read(log);
                if (table.Rows.Count == 0)
                {
                    WriteWarning(EmptyTrainingLog.Explain(log, maps));
                }
                foreach (var row in TableObjects.ToObjects(table, RowTypeName))
                {
                    row.Properties.Add(new PSNoteProperty("Split", split));
                    row.Properties.Add(new PSNoteProperty("Network", network));
                    WriteObject(row);
                }
            }
        }
    }
}
