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
            var kept = layout.Splits().SelectMany(s => Directory.EnumerateDirectories(layout.Split(s), "best-*")).Select(d => Path.GetFileName(d)[5..]);
            return CompletionValues.Matching(kept.Order(StringComparer.Ordinal), wordToComplete);
        }
        var names = fakeBoundParameters["Task"]?.ToString()?.ToLowerInvariant() switch
        {
            "regression" => Metrics.RegressionNames,
            "reconstruction" => ReconstructionMetrics.Names,
            _ => Metrics.ClassificationNames,
        };
        return CompletionValues.Matching(["loss", .. names], wordToComplete);
    }
}
