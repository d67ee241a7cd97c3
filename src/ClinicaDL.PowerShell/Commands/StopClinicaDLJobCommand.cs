using System.Management.Automation;
using ClinicaDL.Core.Cluster;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Cancels the tasks of a job that have not ended (scancel; local child processes are killed). What they finished
/// stays: a MAPS keeps every finished epoch, and Resume-ClinicaDLTraining continues it.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "ClinicaDLJob", SupportsShouldProcess = true)]
public sealed class StopClinicaDLJobCommand : JobCmdlet
{
    protected override void Process()
    {
        if (FindJob() is not { } job || !ShouldProcess($"job {job.JobId} ({job.ArraySize} task(s), {job.OutputPath})", "Cancel"))
        {
            return;
        }
        try
        {
            if (job.Scheduler == Schedulers.Slurm)
            {
                Slurm.Cancel(job.JobId);
            }
            else
            {
                LocalParts.Cancel(job);
            }
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            WriteError(ToErrorRecord(error, job.JobId));
        }
    }
}
