using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using ClinicaDL.Core.Runtime;

namespace ClinicaDL.PowerShell.Completers;

/// <summary>Completes the names of the package sources the machine's NuGet.Config files enable.</summary>
public sealed class NuGetSourceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionValues.Matching(RuntimeInstaller.ConfiguredSourceNames(Environment.CurrentDirectory), wordToComplete);
}
