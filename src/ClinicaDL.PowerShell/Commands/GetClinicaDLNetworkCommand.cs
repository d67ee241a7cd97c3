using System.Management.Automation;
using ClinicaDL.Core.Networks;
using ClinicaDL.Core.Selection;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Lists the network architectures with their parameters and the input shapes they accept. A name without
/// wildcards that names no network is an error (NetworkNotFound) listing the networks, as Get-Process -Name does.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClinicaDLNetwork")]
[OutputType(typeof(NetworkDescription))]
public sealed class GetClinicaDLNetworkCommand : ClinicaDLCmdlet
{
    private readonly HashSet<string> _listed = new(StringComparer.OrdinalIgnoreCase);

    [ArgumentCompleter(typeof(Completers.NetworkCompleter))]
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = ["*"];

    protected override void Process()
    {
        foreach (var name in Name)
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var matches = NetworkRegistry.All.Where(n => pattern.IsMatch(n.Name)).ToList();
            // A pattern that matches nothing is an empty answer; a plain name that matches nothing is a typo.
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                WriteError(SelectionErrors.NotFound(new MissingName(NotFoundKind.Network, name, "ClinicaDL", NetworkRegistry.Names.ToList())));
            }
            // Overlapping patterns (Conv*, Conv5*) list each network once.
            WriteObject(matches.Where(n => _listed.Add(n.Name)), enumerateCollection: true);
        }
    }

}
