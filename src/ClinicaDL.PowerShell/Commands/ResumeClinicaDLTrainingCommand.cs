using System.Management.Automation;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Training;
using ClinicaDL.Core.Workflows;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>Completes a MAPS whose training was stopped (Ctrl+C, a killed process), from each split's last checkpoint.</summary>
[Cmdlet(VerbsLifecycle.Resume, "ClinicaDLTraining", SupportsShouldProcess = true)]
[OutputType(typeof(TrainingResult), typeof(ClinicaDL.Core.Cluster.ClusterJob))]
public sealed class ResumeClinicaDLTrainingCommand : TrainingCmdlet
{
    /// <summary>The MAPS folder; folder items from Get-ChildItem bind through their PSPath.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    public string MapsPath { get; set; } = "";

    /// <summary>The device to continue on (cpu, cuda, cuda:N); by default the one the MAPS was trained on.</summary>
    [Parameter]
    public string? Device { get; set; }

    /// <summary>
    /// Only these splits (a SLURM task or a local child process resumes its own); by default every split maps.json
    /// lists. A split another live process trains is refused, naming it.
    /// </summary>
    [Parameter]
    public int[]? Split { get; set; }

    private readonly DistinctPaths _done = new();

    protected override void Process()
    {
        var maps = ProviderPath(MapsPath);
        if (!_done.FirstTime(maps) || !ShouldProcess(maps, "Resume training"))
        {
            return;
        }
        if (!RunsParts)
        {
            RunTraining("Resume-ClinicaDLTraining", maps, (progress, log, token) => Trainer.Resume(maps, HostDescription(), progress, log, token, Device, Split));
            return;
        }
        IReadOnlyList<int> splits;
        try
        {
            if (Device is not null)
            {
                throw new ArgumentException("-Device applies to a resume in this process: the split processes resume on the device maps.json records.");
            }
            splits = Trainer.Unfinished(maps, Split, WriteWarning);
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            WriteError(ToErrorRecord(error, maps));
            return;
        }
        if (splits.Count == 0)
        {
            WriteWarning($"Nothing to resume in '{maps}': every split asked for is complete or being trained.");
            return;
        }
        // Each resumed split trains with the threads maps.json records: ask SLURM for as many cores unless told otherwise.
        if (!MyInvocation.BoundParameters.ContainsKey(nameof(CpusPerTask)) && MapsFolder.Open(maps).Configuration.Threads is > 1 and var threads)
        {
            CpusPerTask = threads;
        }
        RunSplits(maps, splits, $"Resume-ClinicaDLTraining: split(s) {string.Join(", ", splits)} of the MAPS '{maps}', one per task, each from its last checkpoint.");
    }
}
