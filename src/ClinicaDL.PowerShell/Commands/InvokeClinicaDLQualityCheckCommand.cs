using System.Management.Automation;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Preprocessing;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// ClinicaDL's quality-check for t1-linear, measured instead of predicted by a downloaded network: each image's
/// similarity to the template, its transform's scales, shears, rotation and determinant, and robust z-scores against
/// the cohort (see <see cref="QualityCheckRule"/>). Writes the QC TSV and a montage per image; emits one
/// <see cref="QualityCheckResult"/> per image and warns with the failing ones.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ClinicaDLQualityCheck", SupportsShouldProcess = true)]
[OutputType(typeof(QualityCheckResult))]
public sealed class InvokeClinicaDLQualityCheckCommand : ClinicaDLCmdlet
{
    /// <summary>The CAPS folder, or a file or folder inside it (folder items bind through their PSPath).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "CapsDirectory")]
    public string CapsPath { get; set; } = "";

    [Parameter]
    [ValidateSet("t1-linear")]
    public string Preprocessing { get; set; } = "t1-linear";

    /// <summary>The QC TSV; the montages go to &lt;its name without extension&gt;_montages/ beside it.</summary>
    [Parameter(Position = 1)]
    public string OutputPath { get; set; } = "qc.tsv";

    /// <summary>The template the images were registered to (default: the module's MNI152NLin2009cSym brain).</summary>
    [Parameter]
    public string? TemplatePath { get; set; }

    [Parameter]
    public SwitchParameter UseUncroppedImage { get; set; }

    /// <summary>Images checked at once.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    private readonly DistinctPaths _done = new();

    protected override void Process()
    {
        var caps = CapsDataset.RootOf(ProviderPath(CapsPath));
        var output = ProviderPath(OutputPath);
        if (!_done.FirstTime(caps) || !ShouldProcess(output, $"Write the {Preprocessing} quality check of '{caps}' and its montages"))
        {
            return;
        }
        var options = new QualityCheckOptions
        {
            CapsPath = caps, OutputPath = output, TemplatePath = TemplatePath is null ? null : ProviderPath(TemplatePath),
            UseUncroppedImage = UseUncroppedImage, Threads = ThrottleLimit,
        };
        const string activity = "Checking t1-linear images";
        var run = BackgroundWork.Run<QualityCheckRun, QualityCheckProgress>(this,
            (progress, _) => T1LinearQualityCheck.Run(options, progress, StopToken),
            p => WriteProgress(new ProgressRecord(3, activity, $"{p.Done} of {p.Total} images")
            {
                PercentComplete = 100 * p.Done / Math.Max(1, p.Total),
                SecondsRemaining = p.SecondsRemaining is { } s ? (int)Math.Ceiling(s) : -1,
            }));
        WriteProgress(new ProgressRecord(3, activity, "done") { RecordType = ProgressRecordType.Completed });
        foreach (var note in run.Notes)
        {
            WriteWarning(note);
        }
        foreach (var failure in run.Failures)
        {
            WriteError(ToErrorRecord(failure.Error, failure.Image.Path));
        }
        WriteObject(run.Results, enumerateCollection: true);
        var failing = run.Results.Where(r => !r.Pass).ToList();
        if (failing.Count > 0)
        {
            WriteWarning($"{failing.Count} of {run.Results.Count} images failed the quality check (see {run.TsvPath}):\n" +
                string.Join("\n", failing.Select(r => $"  {r.ParticipantId} {r.SessionId}: {r.Reason}")));
        }
    }
}
