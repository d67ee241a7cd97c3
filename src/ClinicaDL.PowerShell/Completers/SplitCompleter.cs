using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using ClinicaDL.Core.Maps;

namespace ClinicaDL.PowerShell.Completers;

/// <summary>Completes the split numbers of the MAPS given with -MapsPath.</summary>
public sealed class SplitCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var maps = CompletionValues.MapsPath(fakeBoundParameters);
        return maps is null ? [] : CompletionValues.Matching(new MapsLayout(maps).Splits().Select(s => s.ToString(CultureInfo.InvariantCulture)), wordToComplete);
    }
}
