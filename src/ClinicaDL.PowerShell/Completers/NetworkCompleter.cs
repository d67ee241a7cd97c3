using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using ClinicaDL.Core.Networks;

namespace ClinicaDL.PowerShell.Completers;

/// <summary>Completes architecture names from the network registry.</summary>
public sealed class NetworkCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionValues.Matching(NetworkRegistry.Names, wordToComplete);
}
