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

    /// <summary>Stops the engine work of this command as Ctrl+C would (its pipeline stopped while the work was running).</summary>
    internal void CancelWork() => _stopping.Cancel();

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

    /// <summary>The ErrorRecord for an engine exception (see <see cref="ErrorMapping"/>).</summary>
    protected static ErrorRecord ToErrorRecord(Exception error, object? target) => ErrorMapping.ToErrorRecord(error, target);

    /// <summary>Whether a caught exception is the engine's failure (reported as an ErrorRecord), not PowerShell's own flow.</summary>
    protected static bool IsInputFailure(Exception error) => ErrorMapping.IsEngineFailure(error);

    // Every cmdlet's stages run through Guarded: a failure no cmdlet caught still becomes an ErrorRecord with the
    // module's ErrorId (instead of PowerShell's default, the exception's type name), and Ctrl+C stays a stop.
    protected sealed override void BeginProcessing() => Guarded(Begin);

    protected sealed override void ProcessRecord() => Guarded(Process);

    protected sealed override void EndProcessing() => Guarded(End);

    /// <summary>The cmdlet's BeginProcessing.</summary>
    protected virtual void Begin()
    {
    }

    /// <summary>The cmdlet's ProcessRecord.</summary>
    protected virtual void Process()
    {
    }

    /// <summary>The cmdlet's EndProcessing.</summary>
    protected virtual void End()
    {
    }

    private void Guarded(Action stage)
    {
        try
        {
            stage();
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception error) when (ErrorMapping.IsEngineFailure(error))
        {
            ThrowTerminatingError(ToErrorRecord(error, null));
        }
    }

    /// <summary>
    /// Replacing an output asks first, as ConfirmImpact High would: -Force or -Confirm:$false answer yes. The answer
    /// never widens what is deleted: the engine still replaces only the module's own outputs.
    /// </summary>
    protected bool ConfirmReplace(string target, string kind, bool force) => ConfirmReplace(target, kind, force, Core.IO.OwnedOutput.IsOccupied(target));

    /// <inheritdoc cref="ConfirmReplace(string, string, bool)"/>
    protected bool ConfirmReplace(string target, string kind, bool force, bool occupied)
    {
        if (force || !occupied
            || (MyInvocation.BoundParameters.TryGetValue("Confirm", out var confirm) && confirm is SwitchParameter { IsPresent: false }))
        {
            return true;
        }
        return ShouldContinue($"'{target}' exists. Replace this {kind}? Only the files of a {kind} made by this module are removed; a folder holding anything else is refused.",
            $"Replace an existing {kind}");
    }

    /// <summary>Reports a dataset problem that does not stop the command.</summary>
    protected void WriteDatasetIssue(DatasetIssue issue) => WriteError(new ErrorRecord(
        new InvalidDataException(issue.Message), issue.Kind.ToString(),
        issue.Kind == DatasetIssueKind.ParticipantWithoutFolder || issue.Kind == DatasetIssueKind.MissingDatasetDescription ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidData,
        issue.Paths.Count == 1 ? issue.Paths[0] : issue.Paths.ToArray()));
}
