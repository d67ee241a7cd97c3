using System.Management.Automation;
using ClinicaDL.Core.Cluster;
using ClinicaDL.Core.Workflows;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// The tasks of a job submitted with -Scheduler Slurm or run with -ThrottleLimit: each one's state (SLURM's, from
/// scontrol or sacct; a local child's from its state file), node, exit code and progress read from the output.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClinicaDLJob")]
[OutputType(typeof(ClusterTask))]
public sealed class GetClinicaDLJobCommand : JobCmdlet
{
    protected override void Process()
    {
        if (FindJob() is not { } job)
        {
            return;
        }
        try
        {
            WriteObject(JobTasks.Read(job), enumerateCollection: true);
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            WriteError(ToErrorRecord(error, job.JobId));
        }
    }
}
