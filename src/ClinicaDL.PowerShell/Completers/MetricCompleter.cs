using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using ClinicaDL.Core.Training;

namespace ClinicaDL.PowerShell.Completers;

/// <summary>Completes a validation metric to rank by: loss and the metrics of classification and regression.</summary>
public sealed class MetricCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionValues.Matching(["loss", .. TrainingTask.Classification.MetricNames, .. TrainingTask.Regression.MetricNames], wordToComplete);
}
