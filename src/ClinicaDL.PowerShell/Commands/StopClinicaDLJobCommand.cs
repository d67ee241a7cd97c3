using System.Management.Automation;
using ClinicaDL.Core.Cluster;
using ClinicaDL.Core.Workflows;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Cancels the tasks of a job that have not ended (scancel; local child processes are killed). What they finished
/// stays: a MAPS keeps every finished epoch, and Resume-ClinicaDLTraining continues it.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "ClinicaDLJob", SupportsShouldProcess = true)]
[OutputType(typeof(ClusterTask))]
public sealed class StopClinicaDLJobCommand : JobCmdlet
{
    /// <summary>Emits the job's tasks as they are once cancelled.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

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
                LocalParts.Cancel(job).ToList().ForEach(WriteWarning);
            }
            if (PassThru)
            {
                WriteObject(JobTasks.Read(job), enumerateCollection: true);
            }
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            WriteError(ToErrorRecord(error, job.JobId));
        }
    }
}
