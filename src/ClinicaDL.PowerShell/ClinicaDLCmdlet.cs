using System.Management.Automation;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Splits;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.PowerShell;

/// <summary>
/// What every cmdlet of the module shares: resolving provider paths, and turning the engine's exceptions into
/// ErrorRecords with a stable ErrorId and the right category, and a token that Ctrl+C cancels.
/// </summary>
public abstract class ClinicaDLCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Cancelled when the user presses Ctrl+C: long engine work stops at its next step.</summary>
    protected CancellationToken StopToken => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();

    /// <summary>Resolves -Path (wildcards) or -LiteralPath values to existing file-system paths; reports the rest as PathNotFound.</summary>
    protected IEnumerable<string> ResolveExisting(IEnumerable<string> paths, bool literal, Func<string, bool> exists)
    {
        foreach (var path in paths)
        {
            List<string> resolved;
            try
            {
                resolved = literal
                    ? [GetUnresolvedProviderPathFromPSPath(path)]
                    : GetResolvedProviderPathFromPSPath(path, out _).ToList();
            }
            catch (ItemNotFoundException)
            {
                resolved = [];
            }
            resolved = resolved.Where(exists).ToList();
            if (resolved.Count == 0)
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"Nothing matches '{path}'."), ErrorIds.PathNotFound, ErrorCategory.ObjectNotFound, path));
            }
            foreach (var item in resolved)
            {
                yield return item;
            }
        }
    }

    /// <summary>A single path (file or folder) for parameters that name one, resolved without requiring it to exist.</summary>
    protected string ProviderPath(string path) => GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>The ErrorRecord for an engine exception: known families get their own ErrorId and category.</summary>
    protected static ErrorRecord ToErrorRecord(Exception error, object? target) => error switch
    {
        InvalidTableException => new ErrorRecord(error, ErrorIds.InvalidTable, ErrorCategory.InvalidData, target),
        Core.Imaging.InvalidNiftiException => new ErrorRecord(error, ErrorIds.InvalidNiftiFile, ErrorCategory.InvalidData, target),
        SplitException => new ErrorRecord(error, ErrorIds.InvalidSplit, ErrorCategory.InvalidData, target),
        CapsException => new ErrorRecord(error, ErrorIds.InvalidCaps, ErrorCategory.InvalidData, target),
        DirectoryNotFoundException or FileNotFoundException => new ErrorRecord(error, ErrorIds.PathNotFound, ErrorCategory.ObjectNotFound, target),
        ArgumentException => new ErrorRecord(error, ErrorIds.InvalidInput, ErrorCategory.InvalidArgument, target),
        _ => new ErrorRecord(error, ErrorIds.FileReadFailed, ErrorCategory.ReadError, target),
    };

    /// <summary>Whether the engine raised one of the failures that are the user's input, not a bug.</summary>
    protected static bool IsInputFailure(Exception error) => error is InvalidTableException or SplitException or CapsException
        or Core.Imaging.InvalidNiftiException or DirectoryNotFoundException or FileNotFoundException or ArgumentException or IOException or UnauthorizedAccessException;

    /// <summary>Reports a dataset problem that does not stop the command.</summary>
    protected void WriteDatasetIssue(DatasetIssue issue) => WriteError(new ErrorRecord(
        new InvalidDataException(issue.Message), issue.Kind.ToString(),
        issue.Kind == DatasetIssueKind.ParticipantWithoutFolder || issue.Kind == DatasetIssueKind.MissingDatasetDescription ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidData,
        issue.Paths.Count == 1 ? issue.Paths[0] : issue.Paths.ToArray()));
}
