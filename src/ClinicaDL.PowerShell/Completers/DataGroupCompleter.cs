using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using ClinicaDL.Core.Maps;

namespace ClinicaDL.PowerShell.Completers;

/// <summary>Completes the data groups of the MAPS given with -MapsPath (train, validation, test...).</summary>
public sealed class DataGroupCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var maps = CompletionValues.MapsPath(fakeBoundParameters);
        return maps is null ? [] : CompletionValues.Matching(new MapsLayout(maps).DataGroups(), wordToComplete);
    }
}
