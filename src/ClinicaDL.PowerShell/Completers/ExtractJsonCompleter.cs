using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using ClinicaDL.Core.Extraction;

namespace ClinicaDL.PowerShell.Completers;

/// <summary>Completes the extraction JSONs of the CAPS given with -CapsPath (its tensor_extraction/ folder).</summary>
public sealed class ExtractJsonCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionValues.Folder(fakeBoundParameters, "CapsPath") is { } caps ? CompletionValues.Matching(ExtractionOptions.JsonNames(caps), wordToComplete) : [];
}
