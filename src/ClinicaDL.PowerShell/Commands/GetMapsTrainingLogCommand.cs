using System.Management.Automation;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>The per-epoch rows of each split's training.tsv, with a Split property, for plotting and comparison.</summary>
[Cmdlet(VerbsCommon.Get, "MapsTrainingLog")]
[OutputType(typeof(PSObject))]
public sealed class GetMapsTrainingLogCommand : ClinicaDLCmdlet
{
    /// <summary>The MAPS folder; folder items from Get-ChildItem bind through their PSPath.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    public string MapsPath { get; set; } = "";

    [ArgumentCompleter(typeof(Completers.SplitCompleter))]
    [Parameter]
    public int? Split { get; set; }

    protected override void ProcessRecord()
    {
        var maps = new MapsLayout(ProviderPath(MapsPath));
        foreach (var split in maps.Splits().Where(s => Split is null || s == Split))
        {
            if (!File.Exists(maps.TrainingLog(split)))
            {
                continue;
            }
            foreach (var row in TableObjects.ToObjects(TsvTable.Read(maps.TrainingLog(split)), "ClinicaDL.TrainingLogRow"))
            {
                row.Properties.Add(new PSNoteProperty("Split", split));
                WriteObject(row);
            }
        }
    }
}
