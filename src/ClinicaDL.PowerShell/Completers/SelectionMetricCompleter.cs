using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Training;

namespace ClinicaDL.PowerShell.Completers;

/// <summary>
/// Completes selection metrics: those a MAPS given with -MapsPath kept (its best-&lt;metric&gt; folders), otherwise
/// every metric of the task given with -Task (classification by default).
/// </summary>
public sealed class SelectionMetricCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var maps = CompletionValues.MapsPath(fakeBoundParameters);
        if (maps is not null)
        {
            var layout = new MapsLayout(maps);
            var kept = layout.Splits().SelectMany(s => layout.Split(s).BestMetrics()).Distinct();
            return CompletionValues.Matching(kept.Order(StringComparer.Ordinal), wordToComplete);
        }
        var task = fakeBoundParameters["Task"]?.ToString()?.ToLowerInvariant();
        var names = (TrainingTask.All.FirstOrDefault(t => t.Name == task) ?? TrainingTask.Classification).MetricNames;
        return CompletionValues.Matching(["loss", .. names], wordToComplete);
    }
}
