using System.Management.Automation;
using ClinicaDL.Core.Cluster;
using ClinicaDL.Core.Workflows;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Waits for every task of a job to end, with a progress bar (tasks ended, and the parts' progress read from the
/// output), then emits the tasks; each task that did not complete is reported as a JobTaskFailed error.
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "ClinicaDLJob")]
[OutputType(typeof(ClusterTask))]
public sealed class WaitClinicaDLJobCommand : JobCmdlet
{
    /// <summary>Seconds to wait at most (a JobWaitTimeout error, with the tasks as they are, after that); by default no limit.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Timeout { get; set; }

    protected override void Process()
    {
        if (FindJob() is not { } job)
        {
            return;
        }
        var bar = new ProgressRecord(1, $"Waiting for job {job.JobId}", $"{job.ArraySize} task(s)");
        var deadline = Timeout > 0 ? DateTime.UtcNow.AddSeconds(Timeout) : DateTime.MaxValue;
        IReadOnlyList<ClusterTask> tasks;
        try
        {
            while (true)
            {
                tasks = JobTasks.Read(job);
                var ended = tasks.Count(t => t.Ended);
                bar.PercentComplete = (int)(100 * tasks.Average(t => t.Ended ? 1 : t.Fraction));
                bar.StatusDescription = $"{ended} of {tasks.Count} task(s) ended; " + string.Join(", ", tasks.Where(t => !t.Ended).Take(4).Select(t => $"part {t.Part}: {t.State.ToLowerInvariant()} {t.Progress}".TrimEnd()));
                WriteProgress(bar);
                if (ended == tasks.Count || DateTime.UtcNow >= deadline)
                {
                    break;
                }
                if (StopToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(2)))
                {
                    throw new PipelineStoppedException();
                }
            }
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            WriteError(ToErrorRecord(error, job.JobId));
            return;
        }
        finally
        {
            bar.RecordType = ProgressRecordType.Completed;
            WriteProgress(bar);
        }
        foreach (var task in tasks)
        {
            if (task.Ended && !TaskStates.Succeeded(task.State))
            {
                WriteError(new ErrorRecord(new InvalidOperationException($"Task {task.TaskId} of job {job.JobId} (part {task.Part}) ended {task.State}" +
                    (task.ExitCode is { } code ? $" (exit code {code})" : "") + $"; its log is '{task.LogPath}'."), ErrorIds.JobTaskFailed, ErrorCategory.InvalidResult, task));
            }
            WriteObject(task);
        }
        if (tasks.Any(t => !t.Ended))
        {
            WriteError(new ErrorRecord(new TimeoutException($"Job {job.JobId} still has {tasks.Count(t => !t.Ended)} task(s) running after {Timeout} s."),
                ErrorIds.JobWaitTimeout, ErrorCategory.OperationTimeout, job));
        }
    }
}
