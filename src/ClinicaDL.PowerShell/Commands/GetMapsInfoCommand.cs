using System.Management.Automation;
using ClinicaDL.Core.Maps;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>Summarises a MAPS: task, architecture, splits, data groups, seed and leakage overrides.</summary>
[Cmdlet(VerbsCommon.Get, "MapsInfo")]
[OutputType(typeof(MapsInfo))]
public sealed class GetMapsInfoCommand : ClinicaDLCmdlet
{
    /// <summary>The MAPS folder; folder items from Get-ChildItem bind through their PSPath.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    public string MapsPath { get; set; } = "";

    private readonly DistinctPaths _done = new();

    protected override void Process()
    {
        if (!_done.FirstTime(ProviderPath(MapsPath)))
        {
            return;
        }
        try
        {
            WriteObject(MapsInfo.Read(ProviderPath(MapsPath)));
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            WriteError(ToErrorRecord(error, MapsPath));
        }
    }
}
