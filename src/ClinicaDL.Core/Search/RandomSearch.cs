using System.Diagnostics;
using System.Text.Json.Nodes;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;
using ClinicaDL.Core.Workflows;

namespace ClinicaDL.Core.Search;

/// <summary>
/// ClinicaDL's random-search, repeated: each trial draws a RandomArchitecture network and hyperparameters from the
/// search space (<see cref="TrialSampler"/>) and trains into its own MAPS, &lt;search&gt;/trial-&lt;i&gt;/, through the
/// <see cref="Trainer"/>, so every trial has the splits, the leakage checks, groups/train+validation.tsv and the
/// result tables of any training (and reads no test data). <see cref="Prepare"/> reads and checks everything, drawing
/// and validating every trial's configuration, without writing; <see cref="Run"/> writes the state file, then trains
/// the trials in order: a finished trial is kept, a stopped one resumes from its checkpoints, a missing one trains.
/// </summary>
public sealed class RandomSearch
{
    private RandomSearch(string output, SearchSpace space, SearchState state, IReadOnlyList<TrainingConfig> configurations, IReadOnlyList<string> notes, SearchOptions options)
    {
        (Output, Space, State, _configurations, Notes, _options) = (output, space, state, configurations, notes, options);
    }

    private readonly IReadOnlyList<TrainingConfig> _configurations;
    private readonly SearchOptions _options;

    /// <summary>The search folder (full path).</summary>
    public string Output { get; }

    public SearchSpace Space { get; }

    /// <summary>The state to write: the trials kept and drawn.</summary>
    public SearchState State { get; }

    /// <summary>What reading the trials' configurations noted (ClinicaDL keys kept but not used...), once each.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>The torch threads each trial's configuration sets (0: not set), in trial order.</summary>
    public IReadOnlyList<int> ConfiguredThreads => _configurations.Select(c => c.Threads).ToList();

    /// <summary>Whether the search folder already holds this search (the call continues it).</summary>
    public bool Continues { get; private init; }

    /// <summary>Reads the search space and any existing state, and draws and validates every trial; writes nothing.</summary>
    public static RandomSearch Prepare(SearchOptions options)
    {
        if (options.Trials < 1)
        {
            throw new ArgumentException($"-Trials: expected at least 1 trial; got {options.Trials}.", nameof(options.Trials));
        }
        var output = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.OutputPath, options.BaseDirectory));
        SearchState state;
        SearchSpace space;
        var continues = SearchState.Exists(output);
        if (continues)
        {
            state = SearchState.Read(output);
            // The first call's folder: a relative path then means what it meant when the trials were drawn.
            space = SearchSpace.Read(Path.GetFullPath(options.ConfigPath, options.BaseDirectory), state.BaseDirectory);
            state.CheckContinuation(output, space, options.Seed, options.Trials);
        }
        else
        {
            if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            {
                throw new SearchStateException(output, $"'{output}' exists and holds no random search ({SearchState.FileName} is absent): give an empty or new folder.");
            }
            space = SearchSpace.Read(options.ConfigPath, options.BaseDirectory);
            state = SearchState.Start(space, options.Seed ?? 0);
        }
        state = state.WithTrials(space, options.Trials);
        var notes = new List<string>();
        var configurations = state.Trials.Select(t => Configuration(space, t, options, notes)).ToList();
        return new RandomSearch(output, space, state, configurations, notes.Distinct().ToList(), options) { Continues = continues };
    }

    /// <summary>The trial's train configuration, validated as a training's; a refusal names the file and the trial's draw.</summary>
    private static TrainingConfig Configuration(SearchSpace space, SampledTrial trial, SearchOptions options, List<string> notes)
    {
        var overrides = trial.Configuration.ToDictionary(e => e.Key, e => (object?)e.Value?.DeepClone(), StringComparer.Ordinal);
        if (options.Device is not null)
        {
            overrides["device"] = options.Device;
        }
        if (options.Threads is not null)
        {
            overrides["threads"] = options.Threads;
        }
        try
        {
            // The search's own paths are resolved already; any other path a trial carries (the SSDA target paths) is
            // found from the same folder.
            var config = TrainingConfig.Build(null, overrides, notes, space.BaseDirectory);
            config.Validate();
            return config;
        }
        catch (ArgumentException error)
        {
            throw new SearchSpaceException(space.Path, $"{trial.Name} ({trial.Readable()}) cannot train: {error.Message}", error);
        }
    }

    /// <summary>How long a process waits for another writing the state file: it takes a moment.</summary>
    private static readonly TimeSpan StateWait = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Writes the state file, under the search folder's lock: once, by the first process, and again only when a
    /// larger -Trials extends the search; processes running other trials of the same search find it as they would write it.
    /// </summary>
    public void WriteState(Action<string>? log = null)
    {
        Directory.CreateDirectory(Output);
        using var writing = OutputLock.Acquire(Output, log, StateWait);
        if (!SearchState.Exists(Output) || SearchState.Read(Output).Trials.Count < State.Trials.Count)
        {
            State.Write(Output);
        }
    }

    /// <summary>
    /// The trials whose MAPS is not complete and that no live process trains (to be trained by other processes, one
    /// per trial); each trial left to the process training it is named to <paramref name="skipped"/>.
    /// </summary>
    public IReadOnlyList<int> UnfinishedTrials(Action<string> skipped)
    {
        var unfinished = new List<int>();
        foreach (var trial in State.Trials.Where(t => TrialMetrics.TryOpen(Path.Combine(Output, t.Name)) is not { } maps || maps.FindIncompleteSplits().Count > 0))
        {
            if (OutputLock.LiveHolder(Path.Combine(Output, trial.Name)) is { } holder)
            {
                skipped($"{trial.Name} is being trained by {holder}: left to it.");
                continue;
            }
            unfinished.Add(trial.Index);
        }
        return unfinished;
    }

    /// <summary>
    /// Writes the state file and trains the trials (all, or <paramref name="only"/>: a SLURM task or a child process
    /// trains its own); returns one result per trial, in order. Each trial's folder is locked while it trains, so a
    /// trial has one writer whatever the number of processes running the search.
    /// </summary>
    public IReadOnlyList<RandomSearchTrial> Run(string hostDescription, IProgress<SearchProgress>? progress = null, Action<string>? log = null,
        CancellationToken cancellation = default, IReadOnlyList<int>? only = null)
    {
        log ??= _ => { };
        if (only?.Where(i => i < 0 || i >= State.Trials.Count).ToList() is { Count: > 0 } unknown)
        {
            throw new ArgumentException($"-Trial {string.Join(", ", unknown)}: this search has trials 0 to {State.Trials.Count - 1} (-Trials {State.Trials.Count}).");
        }
        WriteState(log);
        var trials = State.Trials.Where(t => only is null || only.Contains(t.Index)).ToList();
        var watch = Stopwatch.StartNew();
        var results = new List<RandomSearchTrial>();
        foreach (var trial in trials)
        {
            cancellation.ThrowIfCancellationRequested();
            progress?.Report(new SearchProgress(trial.Index, results.Count, trials.Count, trial.Name, null, watch.Elapsed));
            var trialProgress = progress is null ? null : new Forward(report => progress.Report(new SearchProgress(trial.Index, results.Count, trials.Count, trial.Name, report, watch.Elapsed)));
            using (OutputLock.Acquire(Path.Combine(Output, trial.Name), log))
            {
                results.Add(Train(trial, _configurations[trial.Index], hostDescription, trialProgress, log, cancellation));
            }
            log($"{trial.Name}: {results[^1].Status} ({results[^1].Run}).");
            progress?.Report(new SearchProgress(trial.Index, results.Count, trials.Count, trial.Name, null, watch.Elapsed, results[^1]));
        }
        return results;
    }

    /// <summary>A trial's result read from its MAPS, for a trial another process trained; <paramref name="failure"/> says why that process failed.</summary>
    public RandomSearchTrial Read(int index, string? failure)
    {
        var trial = State.Trials[index];
        var maps = Path.Combine(Output, trial.Name);
        var existing = TrialMetrics.TryOpen(maps);
        var complete = existing is not null && existing.FindIncompleteSplits().Count == 0;
        return new RandomSearchTrial
        {
            Trial = trial.Index, Name = trial.Name, Status = complete ? TrialMetrics.FinishedStatus(existing!) : TrialStatus.Failed, Run = TrialRun.Trained,
            SampledValues = trial.Readable(), ValidationMetrics = new ReadableDictionary<double>(complete ? TrialMetrics.Read(maps) : []),
            Message = complete ? null : failure ?? $"{trial.Name} did not finish.", MapsPath = maps,
        };
    }

    private RandomSearchTrial Train(SampledTrial trial, TrainingConfig config, string host, IProgress<TrainingProgress>? progress, Action<string> log, CancellationToken cancellation)
    {
        var maps = Path.Combine(Output, trial.Name);
        IReadOnlyList<TrainingResult>? trained = null;
        string run;
        var existing = TrialMetrics.TryOpen(maps);
        if (existing is not null && existing.FindIncompleteSplits().Count == 0)
        {
            run = TrialRun.Kept;
        }
        else if (existing is not null && Resumable(existing))
        {
            log($"{trial.Name}: resuming from its checkpoints.");
            trained = Trainer.Resume(maps, host, progress, log, cancellation, _options.Device);
            run = TrialRun.Resumed;
        }
        else
        {
            run = Directory.Exists(maps) ? TrialRun.Restarted : TrialRun.Trained;
            // Only a MAPS whose creation was cut short is replaced (the trainer refuses any folder holding other files).
            trained = Trainer.Train(config, maps, overwrite: run == TrialRun.Restarted, host, progress, log, cancellation);
        }
        var failed = trained?.FirstOrDefault(r => r.Status == TrialStatus.Failed);
        var status = failed?.Status ?? (trained is null ? TrialMetrics.FinishedStatus(existing!)
            : trained.Any(r => r.Status == TrialStatus.EarlyStopped) ? TrialStatus.EarlyStopped : TrialStatus.Completed);
        return new RandomSearchTrial
        {
            Trial = trial.Index, Name = trial.Name, Status = status, Run = run, SampledValues = trial.Readable(),
            ValidationMetrics = new ReadableDictionary<double>(TrialMetrics.Read(maps)), Message = failed?.Message, MapsPath = maps,
        };
    }

    private static bool Resumable(MapsFolder maps)
    {
        try
        {
            maps.CheckResumable();
            return true;
        }
        catch (MapsException)
        {
            return false;
        }
    }

    private sealed class Forward(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
