using System.Management.Automation;
using ClinicaDL.Core.Cluster;

namespace ClinicaDL.PowerShell;

/// <summary>
/// A cmdlet whose work splits into parts (a MAPS' splits, a search's trials, a CAPS' chunks of images) that other
/// processes can run: -Scheduler Slurm submits them as one SLURM array job; -ThrottleLimit N above 1 runs them as N
/// local child processes at a time. Either way each part runs the same part script (jobs/ in the output).
/// </summary>
public abstract class ClusterCmdlet : ClinicaDLCmdlet
{
    /// <summary>Local (this process, or child processes with -ThrottleLimit) or Slurm (an array job, returned at once).</summary>
    [Parameter]
    [ValidateSet("Local", "Slurm")]
    public string Scheduler
    {
        get => _scheduler;
        // ValidateSet accepts any case and keeps the user's spelling: 'slurm' is Slurm.
        set => _scheduler = Schedulers.Names.FirstOrDefault(n => n.Equals(value, StringComparison.OrdinalIgnoreCase)) ?? value;
    }

    private string _scheduler = Schedulers.Local;

    /// <summary>Parts running at once: local child processes, or SLURM tasks (sbatch --array=...%N). Locally, 1 runs everything in this process.</summary>
    [Parameter]
    [ValidateRange(1, 10000)]
    public int ThrottleLimit { get; set; }

    /// <summary>SLURM partition (--partition).</summary>
    [Parameter] public string? Partition { get; set; }

    /// <summary>Each task's time limit (--time): minutes, or [days-]hours:minutes:seconds.</summary>
    [Parameter] public string? TimeLimit { get; set; }

    /// <summary>Cores per SLURM task (--cpus-per-task), and its torch threads unless -Threads says otherwise; 1 by default.</summary>
    [Parameter] [ValidateRange(1, 1024)] public int CpusPerTask { get; set; } = 1;

    /// <summary>Memory per SLURM task (--mem), e.g. 16G.</summary>
    [Parameter] public string? MemoryPerTask { get; set; }

    /// <summary>GPUs per SLURM task (--gres=gpu:N).</summary>
    [Parameter] [ValidateRange(0, 64)] public int Gpus { get; set; }

    /// <summary>The account charged (--account).</summary>
    [Parameter] public string? Account { get; set; }

    /// <summary>Any other sbatch option, whole (e.g. '--qos=qos_gpu-t3', '--constraint=v100-32g'), one #SBATCH line each.</summary>
    [Parameter] public string[]? SlurmOption { get; set; }

    /// <summary>The scheduler parameters are checked before anything else: a derived cmdlet's Begin calls this first.</summary>
    protected override void Begin() => CheckSchedulerParameters();

    /// <summary>Whether the parts run in other processes (SLURM tasks or local child processes).</summary>
    protected bool RunsParts => Scheduler == Schedulers.Slurm || ThrottleLimit > 1;

    /// <summary>The cores each part has: -CpusPerTask on SLURM, this machine's cores shared among -ThrottleLimit children locally.</summary>
    protected int CoresPerPart => Scheduler == Schedulers.Slurm ? CpusPerTask : Math.Max(1, Environment.ProcessorCount / Math.Max(1, ThrottleLimit));

    /// <summary>
    /// Refuses SLURM options given without -Scheduler Slurm, which would otherwise be ignored silently, and -Scheduler
    /// Slurm where sbatch is absent; called before anything is read or written, whether or not parts run elsewhere.
    /// </summary>
    private void CheckSchedulerParameters()
    {
        string[] slurmOnly = [nameof(Partition), nameof(TimeLimit), nameof(CpusPerTask), nameof(MemoryPerTask), nameof(Gpus), nameof(Account), nameof(SlurmOption)];
        if (Scheduler != Schedulers.Slurm && slurmOnly.Where(MyInvocation.BoundParameters.ContainsKey).ToList() is { Count: > 0 } given)
        {
            throw new ArgumentException($"-{string.Join(", -", given)} ask SLURM for resources: add -Scheduler Slurm, or leave them out.");
        }
        if (Scheduler == Schedulers.Slurm && !Slurm.IsAvailable)
        {
            throw new ClusterException("sbatch was not found on the PATH: -Scheduler Slurm submits from a machine of a SLURM cluster (a login node), where SLURM's commands are. Nothing was written.");
        }
    }

    /// <summary>
    /// How a part process starts PowerShell with this module: the executable running this session (pwsh, or dotnet
    /// with pwsh.dll for PowerShell as a dotnet tool) and the manifest this module was imported from.
    /// </summary>
    protected PowerShellLauncher Launcher()
    {
        // PowerShell as a dotnet tool runs as 'dotnet pwsh.dll'; an installed pwsh also reports pwsh.dll as its first
        // argument, but runs as the pwsh executable, which must not be given the .dll.
        var host = Environment.GetCommandLineArgs()[0];
        var viaDotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath ?? "").Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        var prefix = viaDotnet && host.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? new[] { Path.GetFullPath(host) } : [];
        var module = MyInvocation.MyCommand.Module;
        var manifest = module is null ? null : Path.Combine(module.ModuleBase, "ClinicaDL.psd1");
        if (manifest is null || !File.Exists(manifest))
        {
            throw new InvalidOperationException("The module's manifest (ClinicaDL.psd1) was not found beside its assembly: import the module from its manifest to run parts in other processes.");
        }
        return new PowerShellLauncher(Environment.ProcessPath!, prefix, manifest);
    }

    protected SlurmRequest Request() => new()
    {
        Partition = Partition, TimeLimit = TimeLimit, CpusPerTask = CpusPerTask, MemoryPerTask = MemoryPerTask, Gpus = Gpus, Account = Account,
        Options = SlurmOption ?? [],
    };

    /// <summary>
    /// Runs the parts where -Scheduler says: submitted to SLURM (the job is emitted at once), or as local child
    /// processes, -ThrottleLimit at a time, telling <paramref name="ended"/> (on the pipeline thread) of each part as it
    /// ends. <paramref name="afterStop"/> tells the user what is kept after Ctrl+C; <paramref name="afterRefusal"/>, what
    /// to do with the prepared output when sbatch refuses the job.
    /// </summary>
    protected void RunParts(JobSubmission.Parts parts, string activity, Action<PartEnded> ended, string afterStop, string? afterRefusal = null)
    {
        if (Scheduler == Schedulers.Slurm)
        {
            ClusterJob job;
            try
            {
                job = JobSubmission.ToSlurm(parts, Request(), ThrottleLimit);
            }
            catch (ClusterException refused) when (afterRefusal is not null)
            {
                ThrowTerminatingError(ToErrorRecord(new ClusterException($"{refused.Message} {afterRefusal}"), parts.OutputPath));
                return;
            }
            WriteVerbose($"Submitted SLURM job {job.JobId}: {job.ArraySize} task(s), script '{job.ScriptPath}'.");
            WriteObject(job);
            return;
        }
        try
        {
            RunLocally(parts, activity, ended);
        }
        catch (OperationCanceledException)
        {
            // After Ctrl+C the pipeline is stopping and WriteWarning would throw unseen: the host still shows this.
            Host.UI.WriteWarningLine(afterStop);
            throw new PipelineStoppedException();
        }
    }

    private void RunLocally(JobSubmission.Parts parts, string activity, Action<PartEnded> ended)
    {
        var (job, script) = JobSubmission.Locally(parts);
        WriteVerbose($"Running {job.ArraySize} part(s) as child processes, {Math.Max(1, ThrottleLimit)} at a time; their logs are in '{ClusterJob.Folder(job.OutputPath)}'.");
        var bar = new ProgressRecord(1, activity, $"{job.ArraySize} part(s), {Math.Max(1, ThrottleLimit)} at a time");
        var done = 0;
        try
        {
            BackgroundWork.Run<int, PartEnded>(this, (progress, _) =>
            {
                LocalParts.Run(job, script, ThrottleLimit, end =>
                    progress.Report(new PartEnded(job.Parts[end.Task], end.ExitCode, end.Started, (end.Ended - end.Started).TotalSeconds, job.LogPaths[end.Task])), StopToken);
                return 0;
            }, _ =>
            {
                bar.PercentComplete = 100 * done / job.ArraySize;
                bar.StatusDescription = $"{done} of {job.ArraySize} part(s) ended";
                WriteProgress(bar);
            }, report =>
            {
                done++;
                ended(report);
            });
        }
        finally
        {
            bar.RecordType = ProgressRecordType.Completed;
            WriteProgress(bar);
        }
    }

    /// <summary>A part that ended: its exit code (0: succeeded), when it started (UTC), its own wall time in seconds, and its log.</summary>
    protected sealed record PartEnded(int Part, int ExitCode, DateTime Started, double Seconds, string LogPath)
    {
        /// <summary>The last lines of the part's log, which say why it failed.</summary>
        public string Tail() => File.Exists(LogPath) ? string.Join("\n", File.ReadLines(LogPath).TakeLast(6)) : "";
    }
}
