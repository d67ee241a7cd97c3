using System.Management.Automation;
using ClinicaDL.Core.Cluster;
using ClinicaDL.Core.Search;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// ClinicaDL's random-search: draws -Trials RandomArchitecture networks and hyperparameters from a random_search.toml
/// and trains each into its own MAPS of the -OutputPath folder, emitting one <see cref="RandomSearchTrial"/> per trial.
/// Run again with the same file and folder, it keeps the finished trials, resumes a stopped one and trains the missing
/// ones; a larger -Trials extends the search.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "ClinicaDLRandomSearch", SupportsShouldProcess = true)]
[OutputType(typeof(RandomSearchTrial), typeof(ClinicaDL.Core.Cluster.ClusterJob))]
public sealed class StartClinicaDLRandomSearchCommand : TrainingCmdlet
{
    /// <summary>The random_search.toml ([Random_Search] and the train configuration's sections); a file item binds through its PSPath.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    public string ConfigPath { get; set; } = "";

    /// <summary>The search folder: random_search.json and trial-0, trial-1... (one MAPS each).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string OutputPath { get; set; } = "";

    /// <summary>How many trials the search has when the command ends.</summary>
    [Parameter(Mandatory = true)]
    [ValidateRange(1, 100000)]
    public int Trials { get; set; }

    /// <summary>The search seed (0 for a new search when not given; an existing search keeps its own).</summary>
    [Parameter]
    public long Seed { get; set; }

    /// <summary>The device the trials train on (cpu, cuda, cuda:N).</summary>
    [Parameter]
    public string? Device { get; set; }

    /// <summary>torch threads of each trial (0: libtorch's default).</summary>
    [Parameter]
    [ValidateRange(0, 1024)]
    public int Threads { get; set; }

    /// <summary>
    /// Only these trials, in this process (what each SLURM task or child process of -Scheduler and -ThrottleLimit runs);
    /// by default every trial.
    /// </summary>
    [Parameter]
    [ValidateRange(0, 99999)]
    public int[]? Trial { get; set; }

    protected override void End()
    {
        var bound = MyInvocation.BoundParameters;
        RandomSearch search;
        try
        {
            if (RunsParts)
            {
                if (Trial is not null)
                {
                    throw new ArgumentException("-Trial trains trials in this process: with -Scheduler Slurm or -ThrottleLimit, every unfinished trial is a part of its own.");
                }
            }
            var options = new SearchOptions
            {
                ConfigPath = ProviderPath(ConfigPath), OutputPath = ProviderPath(OutputPath), Trials = Trials,
                Seed = bound.ContainsKey(nameof(Seed)) ? Seed : null, Device = Device, Threads = bound.ContainsKey(nameof(Threads)) ? Threads : null,
                BaseDirectory = SessionState.Path.CurrentFileSystemLocation.ProviderPath,
            };
            search = RandomSearch.Prepare(options);
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            ThrowTerminatingError(ToErrorRecord(error, ConfigPath));
            return;
        }
        search.Notes.ToList().ForEach(WriteWarning);
        var action = search.Continues
            ? $"Continue the random search (seed {search.State.Seed}) to {search.State.Trials.Count} trial(s)"
            : $"Run a random search of {search.State.Trials.Count} trial(s) with seed {search.State.Seed}";
        if (!ShouldProcess(search.Output, action))
        {
            return;
        }
        if (RunsParts)
        {
            RunTrials(search);
            return;
        }
        var trialBar = new ProgressRecord(1, "Start-ClinicaDLRandomSearch", "Preparing");
        var epochBar = new ProgressRecord(2, "Epoch", "Starting") { ParentActivityId = 1 };
        try
        {
            // Each trial goes down the pipeline as it ends, not when the whole search does.
            BackgroundWork.Run<IReadOnlyList<RandomSearchTrial>, SearchProgress>(this,
                (progress, log) => search.Run(HostDescription(), progress, log, StopToken, Trial), report => ShowProgress(report, trialBar, epochBar),
                report => { if (report.Finished is { } trial) { Emit(trial); } });
        }
        catch (OperationCanceledException)
        {
            Host.UI.WriteWarningLine($"Random search stopped. '{search.Output}' keeps its finished trials and the stopped one's epochs: the same Start-ClinicaDLRandomSearch command continues it.");
            throw new PipelineStoppedException();
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            ThrowTerminatingError(ToErrorRecord(error, search.Output));
        }
        finally
        {
            trialBar.RecordType = ProgressRecordType.Completed;
            WriteProgress(trialBar);
        }
    }

    /// <summary>Every unfinished trial as a part of its own: this cmdlet with -Trial, in a SLURM task or a local child process.</summary>
    private void RunTrials(RandomSearch search)
    {
        IReadOnlyList<int> trials;
        try
        {
            search.WriteState(WriteVerbose);
            trials = search.UnfinishedTrials(WriteWarning);
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            ThrowTerminatingError(ToErrorRecord(error, search.Output));
            return;
        }
        if (trials.Count == 0)
        {
            WriteWarning($"Every trial of '{search.Output}' is complete or being trained: nothing to run.");
            return;
        }
        // Each part trains with -Threads, else the file's threads, else the cores it is given: every trial's maps.json
        // records the count, which decides the bits.
        var threads = MyInvocation.BoundParameters.ContainsKey(nameof(Threads)) ? Threads : search.ConfiguredThreads.All(t => t > 0) ? (int?)null : CoresPerPart;
        var command = $"Start-ClinicaDLRandomSearch -ConfigPath {PowerShellLauncher.Quote(ProviderPath(ConfigPath))} -OutputPath {PowerShellLauncher.Quote(search.Output)} " +
            $"-Trials {search.State.Trials.Count} -Seed {search.State.Seed}" + (threads is null ? "" : $" -Threads {threads}") + (Device is null ? "" : $" -Device {PowerShellLauncher.Quote(Device)}") +
            " -Trial $Part -Confirm:$false -Verbose";
        var parts = new JobSubmission.Parts(search.Output, "RandomSearch", $"Start-ClinicaDLRandomSearch: trial(s) {string.Join(", ", trials)} of the search '{search.Output}', one per task.",
            trials, Launcher(), command);
        RunParts(parts, "Training trials in child processes",
            ended => Emit(search.Read(ended.Part, ended.ExitCode == 0 ? null : $"its process exited with code {ended.ExitCode}: {ended.Tail()}")),
            StoppedMessage(search.Output));
    }

    private static string StoppedMessage(string search) =>
        $"Random search stopped. '{search}' keeps its finished trials and the stopped ones' epochs: the same Start-ClinicaDLRandomSearch command continues it.";

    private void Emit(RandomSearchTrial trial)
    {
        if (trial.Status == TrialStatus.Failed)
        {
            WriteError(new ErrorRecord(new InvalidOperationException($"{trial.Name} failed: {trial.Message}"), ErrorIds.TrainingFailed, ErrorCategory.InvalidResult, trial));
        }
        WriteObject(trial);
    }

    private void ShowProgress(SearchProgress last, ProgressRecord trialBar, ProgressRecord epochBar)
    {
        var training = last.Training;
        var within = training is null ? 0 : training.SplitsCompleted / training.SplitCount;
        var done = last.TrialsDone + within;
        trialBar.StatusDescription = last.Finished is not null ? $"{last.Name} done ({last.TrialsDone} of {last.TrialCount})"
            : $"{last.Name} ({last.TrialsDone + 1} of {last.TrialCount})" + (training is null ? "" : $", split {training.Split}");
        trialBar.PercentComplete = (int)(100 * done / last.TrialCount);
        trialBar.SecondsRemaining = done > 0 ? (int)(last.Elapsed.TotalSeconds / done * (last.TrialCount - done)) : -1;
        WriteProgress(trialBar);
        if (training is not null)
        {
            ShowEpoch(training, epochBar);
        }
    }
}
