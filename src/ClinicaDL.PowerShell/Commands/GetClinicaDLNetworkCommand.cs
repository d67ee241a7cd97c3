using System.Management.Automation;
using ClinicaDL.Core.Networks;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>Lists the network architectures with their parameters and the input shapes they accept.</summary>
[Cmdlet(VerbsCommon.Get, "ClinicaDLNetwork")]
[OutputType(typeof(NetworkDescription))]
public sealed class GetClinicaDLNetworkCommand : ClinicaDLCmdlet
{
    [ArgumentCompleter(typeof(Completers.NetworkCompleter))]
    [Parameter(Position = 0)]
    [SupportsWildcards]
    public string Name { get; set; } = "*";

    protected override void Process()
    {
        var pattern = new WildcardPattern(Name, WildcardOptions.IgnoreCase);
        WriteObject(NetworkRegistry.All.Where(n => pattern.IsMatch(n.Name)), enumerateCollection: true);
    }
}
