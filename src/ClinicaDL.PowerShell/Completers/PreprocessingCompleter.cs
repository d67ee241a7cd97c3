using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using ClinicaDL.Core.Datasets;

namespace ClinicaDL.PowerShell.Completers;

/// <summary>Completes Clinica preprocessing names (t1-linear, pet-linear...).</summary>
public sealed class PreprocessingCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionValues.Matching(CapsQuery.PreprocessingNames, wordToComplete);
}
