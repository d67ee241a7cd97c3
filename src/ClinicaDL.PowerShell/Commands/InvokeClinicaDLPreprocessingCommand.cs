using System.Management.Automation;
using ClinicaDL.Core.Cluster;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Preprocessing;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Raw BIDS T1w images to a CAPS, as Clinica's t1-linear (bias correction, affine registration to
/// MNI152NLin2009cSym, crop), with no external software. Sessions arrive by parameter, in a TSV (-TsvPath, the
/// command-line form of piped sessions) or from Import-BidsDataset through the pipeline; all are gathered and
/// processed in End, in one run with one prepared template.
/// With -Chunk and -ChunkCount the run is one of several processes sharing the images (a SLURM array task, a child
/// process) and preprocesses only its chunk of them, into the same CAPS as the others; -Scheduler Slurm and
/// -ThrottleLimit start those processes, one per chunk.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ClinicaDLPreprocessing", SupportsShouldProcess = true)]
[OutputType(typeof(T1LinearResult), typeof(ClusterJob))]
public sealed class InvokeClinicaDLPreprocessingCommand : ClusterCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("DatasetPath", "BidsDirectory", "PSPath")]
    public string BidsPath { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1)]
    [Alias("CapsDirectory")]
    public string CapsPath { get; set; } = "";

    [Parameter]
    [ValidateSet("T1Linear", "t1-linear")]
    public string Pipeline { get; set; } = "T1Linear";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string[] ParticipantId { get; set; } = [];

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? SessionId { get; set; }

    [Parameter]
    [Alias("SubjectsSessionsTsv")]
    public string? TsvPath { get; set; }

    [Parameter]
    public string? TemplatePath { get; set; }

    [Parameter]
    public SwitchParameter UncroppedImage { get; set; }

    [Parameter]
    public int Seed { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public int Chunk { get; set; }

    [Parameter]
    public int ChunkCount { get; set; } = 1;

    private readonly Dictionary<string, List<(string ParticipantId, string? SessionId)>> _requests = new(StringComparer.Ordinal);

    /// <summary>The sessions of -TsvPath, asked for in every dataset given.</summary>
    private IReadOnlyList<(string ParticipantId, string? SessionId)> _listed = [];

    protected override void Begin()
    {
        base.Begin();
        T1LinearChunk.Check(Chunk, ChunkCount);
        if (TsvPath is not null)
        {
            _listed = T1LinearSelection.ReadRequests(ProviderPath(TsvPath));
        }
    }

    protected override void Process()
    {
        var bids = ProviderPath(BidsPath);
        if (!_requests.TryGetValue(bids, out var requested))
        {
            _requests[bids] = requested = [];
        }
        requested.AddRange(ParticipantId.Select(p => (p, SessionId)));
        requested.AddRange(_listed);
        // A dataset asked for as a whole takes every session, whatever other records asked for.
        if (ParticipantId.Length == 0 && TsvPath is null)
        {
            requested.Add(("*", null));
        }
    }

    protected override void End()
    {
        // Trouble with the inputs (a dataset that cannot be read, sessions without a T1w) is reported after the images
        // that can be done are done: a run with -ErrorAction Stop, as every part of a job runs, still preprocesses them.
        var problems = new List<ErrorRecord>();
        var inputs = new List<T1LinearInput>();
        var missingCount = 0;
        foreach (var (bids, requested) in _requests)
        {
            try
            {
                // Every session, not only those with a T1w: a session without one is reported (T1wNotFound), not passed over.
                var scan = BidsDataset.Scan(bids);
                var only = requested.Any(r => r.ParticipantId == "*") ? [] : requested.Distinct().ToList();
                var (selected, missing) = T1LinearSelection.Select(scan, only);
                // Sessions without an image belong to no chunk: the first chunk reports them, so the processes of one run report each once.
                missingCount += missing.Count;
                problems.AddRange((Chunk == 0 ? missing : []).Select(absent => ToErrorRecord(absent, absent.Target)));
                inputs.AddRange(selected);
            }
            catch (Exception error) when (IsInputFailure(error))
            {
                problems.Add(ToErrorRecord(error, bids));
            }
        }
        if (Chunk != 0 && missingCount > 0)
        {
            WriteVerbose($"{missingCount} session(s) without a usable T1w image are reported by chunk 0.");
        }
        if (RunsParts)
        {
            RunChunks(inputs);
        }
        else
        {
            Preprocess(inputs);
        }
        foreach (var problem in problems)
        {
            WriteError(problem);
        }
    }

    /// <summary>
    /// The images as -ChunkCount chunks, each preprocessed by this cmdlet with -Chunk in a SLURM array task or a local
    /// child process; the sessions go to the parts in a TSV kept in the CAPS' jobs/ folder.
    /// </summary>
    private void RunChunks(List<T1LinearInput> inputs)
    {
        var caps = ProviderPath(CapsPath);
        int count;
        try
        {
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Chunk)))
            {
                throw new ArgumentException("-Chunk preprocesses one chunk in this process: with -Scheduler Slurm or -ThrottleLimit each chunk is a part of its own (-ChunkCount says how many).");
            }
            if (_requests.Count != 1)
            {
                throw new ArgumentException($"-Scheduler Slurm and -ThrottleLimit take one BIDS dataset; {_requests.Count} were given.");
            }
            count = T1LinearChunk.PartCount(inputs.Count, MyInvocation.BoundParameters.ContainsKey(nameof(ChunkCount)) ? ChunkCount : null, Scheduler == Schedulers.Slurm, ThrottleLimit);
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            ThrowTerminatingError(ToErrorRecord(error, caps));
            return;
        }
        if (inputs.Count == 0 || !ShouldProcess(caps, $"Preprocess {inputs.Count} T1w image(s) with t1-linear in {count} chunk(s), each in its own {(Scheduler == Schedulers.Slurm ? "SLURM task" : "process")}"))
        {
            return;
        }
        var bids = _requests.Keys.Single();
        var sessions = Path.Combine(ClusterJob.Folder(caps), $"sessions-{DateTime.UtcNow:yyyyMMdd'T'HHmmssfff}.tsv");
        Directory.CreateDirectory(ClusterJob.Folder(caps));
        T1LinearSelection.WriteRequests(sessions, inputs);
        var command = $"Invoke-ClinicaDLPreprocessing -BidsPath {PowerShellLauncher.Quote(bids)} -CapsPath {PowerShellLauncher.Quote(caps)} -TsvPath {PowerShellLauncher.Quote(sessions)}" +
            (TemplatePath is null ? "" : $" -TemplatePath {PowerShellLauncher.Quote(ProviderPath(TemplatePath))}") + (UncroppedImage ? " -UncroppedImage" : "") +
            $" -Seed {Seed}" + (Force ? " -Force" : "") + $" -Chunk $Part -ChunkCount {count} -Confirm:$false -Verbose";
        var parts = new JobSubmission.Parts(caps, "Preprocessing", $"Invoke-ClinicaDLPreprocessing: {inputs.Count} T1w image(s) of '{bids}' in {count} chunk(s), one per task.",
            Enumerable.Range(0, count).ToList(), Launcher(), command);
        RunParts(parts, "Preprocessing chunks in child processes", ended =>
        {
            foreach (var input in T1LinearChunk.Select(inputs, ended.Part, count))
            {
                var result = T1LinearPipeline.Outcome(input, caps, UncroppedImage, ended.Started, ended.ExitCode == 0, new PartFailedException(
                    $"Chunk {ended.Part}'s process exited with code {ended.ExitCode} and did not preprocess {input.ParticipantId} {input.SessionId}; its log '{ended.LogPath}' ends: {ended.Tail()}"));
                WriteObject(result);
                if (result.Error is not null)
                {
                    WriteError(ToErrorRecord(result.Error, result.SourcePath));
                }
            }
        }, $"Preprocessing stopped. '{caps}' keeps every image done: the same command skips them and does the rest.");
    }

    private void Preprocess(List<T1LinearInput> inputs)
    {
        var caps = ProviderPath(CapsPath);
        var chunk = T1LinearChunk.Select(inputs, Chunk, ChunkCount);
        if (inputs.Count > 0 && chunk.Count == 0)
        {
            WriteWarning($"Chunk {Chunk} of {ChunkCount} holds no image: the {inputs.Count} image(s) to preprocess fill chunks 0 to {inputs.Count - 1} only. Nothing to do.");
            return;
        }
        var what = ChunkCount == 1 ? $"{chunk.Count} T1w image(s)" : $"chunk {Chunk} of {ChunkCount}: {chunk.Count} of {inputs.Count} T1w image(s)";
        if (chunk.Count == 0 || !ShouldProcess(caps, $"Preprocess {what} with t1-linear"))
        {
            return;
        }
        var templatePath = TemplatePath is null ? null : ProviderPath(TemplatePath);
        T1LinearOptions Options(Action<string> log) => new()
        {
            CapsPath = caps, TemplatePath = templatePath, Uncropped = UncroppedImage, Seed = Seed, Overwrite = Force, Log = log,
        };
        const string activity = "Preprocessing T1w images (t1-linear)";
        try
        {
            var results = BackgroundWork.Run<IReadOnlyList<T1LinearResult>, T1LinearProgress>(this,
                (progress, log) => T1LinearPipeline.Run(chunk, Options(log), progress, StopToken),
                p => WriteProgress(new ProgressRecord(3, activity, $"{p.Done} of {p.Total} images (last: {p.Current})")
                {
                    PercentComplete = 100 * p.Done / Math.Max(1, p.Total),
                    SecondsRemaining = p.SecondsRemaining is { } left ? (int)Math.Ceiling(left) : -1,
                }));
            WriteProgress(new ProgressRecord(3, activity, "done") { RecordType = ProgressRecordType.Completed });
            WriteObject(results, enumerateCollection: true);
            var failed = results.Count(r => r.Status == T1LinearStatus.Failed);
            WriteVerbose($"t1-linear{(ChunkCount == 1 ? "" : $" (chunk {Chunk} of {ChunkCount})")}: {results.Count(r => r.Status == T1LinearStatus.Done)} done, {results.Count(r => r.Status == T1LinearStatus.Skipped)} skipped (already done), {failed} failed; CAPS {caps}.");
            if (failed > 0)
            {
                WriteWarning($"{failed} of {results.Count} image(s) could not be preprocessed: see the errors below.");
            }
            // After every result, so that -ErrorAction Stop still emits them all.
            foreach (var result in results.Where(r => r.Error is not null))
            {
                WriteError(ToErrorRecord(result.Error!, result.SourcePath));
            }
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            WriteError(ToErrorRecord(error, caps));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
