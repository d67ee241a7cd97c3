using System.Management.Automation;
using ClinicaDL.Core.Cluster;

namespace ClinicaDL.PowerShell;

/// <summary>
/// What the job cmdlets share: a job found from the output folder it writes (its jobs/ record), the latest one
/// unless -JobId names another. Job objects and tasks bind by their OutputPath and JobId, folder items by their PSPath.
/// </summary>
public abstract class JobCmdlet : ClinicaDLCmdlet
{
    /// <summary>The output folder of the job: a MAPS, a random search's folder or a CAPS.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    public string OutputPath { get; set; } = "";

    /// <summary>The job (SLURM's id, or local-... for child processes); by default the output's latest.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    public string? JobId { get; set; }

    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>The job this pipeline object names (once per job, though its tasks come one by one), or null after reporting JobNotFound.</summary>
    protected ClusterJob? FindJob()
    {
        var output = ProviderPath(OutputPath);
        IReadOnlyList<ClusterJob> jobs;
        try
        {
            jobs = ClusterJob.In(output, JobId);
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            WriteError(ToErrorRecord(error, output));
            return null;
        }
        if (jobs.Count == 0)
        {
            var which = JobId is null ? "no job" : $"no job {JobId}";
            WriteError(new ErrorRecord(new ItemNotFoundException($"'{output}' has {which} recorded in {ClusterJob.FolderName}/: jobs are recorded there by -Scheduler Slurm and -ThrottleLimit."),
                ErrorIds.JobNotFound, ErrorCategory.ObjectNotFound, output));
            return null;
        }
        var job = jobs[^1];
        return _seen.Add(job.OutputPath + "\n" + job.JobId) ? job : null;
    }
}
