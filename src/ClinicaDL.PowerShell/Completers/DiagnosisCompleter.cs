using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.PowerShell.Completers;

/// <summary>
/// Completes diagnoses with the values of the labels file given on the same command line: -TsvPath (a split or
/// k-fold folder: its train.tsv), -MergedTsv or -Path.
/// </summary>
public sealed class DiagnosisCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        foreach (var parameter in new[] { "TsvPath", "MergedTsv", "Path" })
        {
            if (fakeBoundParameters[parameter] is not { } value)
            {
                continue;
            }
            var path = value.ToString()!;
            path = System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.Combine(Environment.CurrentDirectory, path);
            var file = new[] { path, System.IO.Path.Combine(path, "train.tsv"), System.IO.Path.Combine(path, "split-0", "train.tsv"), System.IO.Path.Combine(path, "labels.tsv") }
                .FirstOrDefault(File.Exists);
            if (file is null)
            {
                continue;
            }
            try
            {
                var table = TsvTable.Read(file);
                var column = table.IndexOf("diagnosis");
                if (column >= 0)
                {
                    return CompletionValues.Matching(table.Rows.Select(r => r[column]).OfType<string>().Order(StringComparer.Ordinal), wordToComplete);
                }
            }
            catch (InvalidTableException)
            {
            }
        }
        return [];
    }
}
