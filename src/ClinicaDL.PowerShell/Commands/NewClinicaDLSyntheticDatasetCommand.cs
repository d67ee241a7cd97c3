using System.Diagnostics;
using System.Management.Automation;
using ClinicaDL.Core.Generation;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Generates a synthetic data set: BIDS + CAPS (t1-linear names) + labels.tsv + synthetic.json; emits one
/// <see cref="SyntheticSession"/> per session.
/// </summary>
[Cmdlet(VerbsCommon.New, "ClinicaDLSyntheticDataset", SupportsShouldProcess = true)]
[OutputType(typeof(SyntheticSession))]
public sealed class NewClinicaDLSyntheticDatasetCommand : ClinicaDLCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();

    [Parameter]
    [ValidateSet("Phantom")]
    public string Kind { get; set; } = "Phantom";

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string OutputPath { get; set; } = "";

    [Parameter]
    [ValidateRange(1, 100000)]
    public int ParticipantCount { get; set; } = 60;

    [Parameter]
    [ValidateRange(1, 100)]
    public int SessionCount { get; set; } = 2;

    [Parameter]
    [ValidateRange(1, 120)]
    public int SessionIntervalMonths { get; set; } = 12;

    [Parameter]
    [ValidateSet("1", "2", "3")]
    public int VoxelSize { get; set; } = 2;

    [Parameter]
    [ValidateSet("AD", "CN", "MCI")]
    public string[] Diagnoses { get; set; } = ["AD", "CN"];

    [Parameter]
    [ValidateRange(0.0, 10.0)]
    public double AtrophyStrength { get; set; } = 1.0;

    [Parameter]
    public int Seed { get; set; }

    /// <summary>Replace a non-empty output folder.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void EndProcessing()
    {
        var output = ProviderPath(OutputPath);
        if (!ShouldProcess(output, $"Generate {ParticipantCount} participants x {SessionCount} sessions of {VoxelSize} mm phantoms"))
        {
            return;
        }
        var options = new SyntheticOptions
        {
            OutputPath = output,
            ParticipantCount = ParticipantCount,
            SessionCount = SessionCount,
            SessionIntervalMonths = SessionIntervalMonths,
            VoxelSize = VoxelSize,
            Diagnoses = Diagnoses,
            AtrophyStrength = AtrophyStrength,
            Seed = Seed,
        };
        var record = new ProgressRecord(1, "New-ClinicaDLSyntheticDataset", "Drawing phantoms");
        var watch = Stopwatch.StartNew();
        var reports = new System.Collections.Concurrent.ConcurrentQueue<(int Done, int Total)>();
        try
        {
            var work = Task.Run(() => SyntheticDatasetGenerator.Generate(options, Force, new Progress(reports), _cancellation.Token));
            // Progress records must be written from the pipeline thread: drain the reports while the work runs.
            while (!work.Wait(200))
            {
                ReportProgress(reports, record, watch);
            }
            record.RecordType = ProgressRecordType.Completed;
            WriteProgress(record);
            WriteObject(work.Result, enumerateCollection: true);
        }
        catch (AggregateException error) when (error.InnerException is SyntheticDataException or IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(error.InnerException, ErrorIds.InvalidInput,
                error.InnerException is SyntheticDataException ? ErrorCategory.InvalidArgument : ErrorCategory.WriteError, output));
        }
        catch (AggregateException error) when (error.InnerException is OperationCanceledException)
        {
            // Ctrl+C: the staging folder is gone and the output folder untouched.
        }
    }

    protected override void StopProcessing() => _cancellation.Cancel();

    public void Dispose() => _cancellation.Dispose();

    private void ReportProgress(System.Collections.Concurrent.ConcurrentQueue<(int Done, int Total)> reports, ProgressRecord record, Stopwatch watch)
    {
        (int Done, int Total) last = default;
        while (reports.TryDequeue(out var report))
        {
            last = report;
        }
        if (last.Total == 0)
        {
            return;
        }
        record.PercentComplete = 100 * last.Done / last.Total;
        record.StatusDescription = $"{last.Done} of {last.Total} images";
        record.SecondsRemaining = (int)(watch.Elapsed.TotalSeconds / last.Done * (last.Total - last.Done));
        WriteProgress(record);
    }

    private sealed class Progress(System.Collections.Concurrent.ConcurrentQueue<(int, int)> queue) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => queue.Enqueue(value);
    }
}
