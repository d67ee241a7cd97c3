using System.Management.Automation;
using ClinicaDL.Core.Interpretation;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Selection;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Saliency maps of a MAPS data group (ClinicaDL <c>interpret</c>, plus SmoothGrad and Occlusion): writes
/// split-&lt;k&gt;/best-&lt;metric&gt;/&lt;group&gt;/interpret-&lt;name&gt;/ as NIfTI with the images' affine and as
/// .tensor files. A new group follows prediction's leakage rule (ErrorId DataLeakage unless -AllowDataLeakage). Emits one
/// <see cref="InterpretationMap"/> per written map.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ClinicaDLInterpretation", SupportsShouldProcess = true)]
[OutputType(typeof(InterpretationMap))]
public sealed class InvokeClinicaDLInterpretationCommand : ClinicaDLCmdlet
{
    /// <summary>The MAPS folder; folder items bind through their PSPath, training and prediction results through their MapsPath.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    public string MapsPath { get; set; } = "";

    [ArgumentCompleter(typeof(Completers.DataGroupCompleter))]
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public string DataGroup { get; set; } = "";

    [Parameter(Mandatory = true, Position = 2)]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, Position = 3)]
    public SaliencyMethod Method { get; set; }

    /// <summary>The output node (class index) whose saliency is mapped.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int TargetNode { get; set; }

    [ArgumentCompleter(typeof(Completers.SplitCompleter))]
    [Parameter]
    public int[]? Split { get; set; }

    [ArgumentCompleter(typeof(Completers.SelectionMetricCompleter))]
    [Parameter]
    [Alias("SelectionMetrics")]
    public string[]? SelectionMetric { get; set; }

    [Parameter]
    public SwitchParameter SaveIndividual { get; set; }

    [Parameter]
    [Alias("CapsDirectory")]
    public string? CapsPath { get; set; }

    [Parameter]
    public string? TsvPath { get; set; }

    [Parameter]
    [ValidateRange(1, 10000)]
    public int SmoothGradSamples { get; set; } = 25;

    [Parameter]
    [ValidateRange(0.0, 10.0)]
    public double SmoothGradNoise { get; set; } = 0.15;

    [Parameter]
    [ValidateRange(1, 4096)]
    public int OcclusionSize { get; set; } = 8;

    /// <summary>Grad-CAM: the number of feature layers before the map (ClinicaDL's --level_grad_cam); all by default.</summary>
    [Parameter]
    public int? GradCamLevel { get; set; }

    [Parameter]
    public int Seed { get; set; }

    /// <summary>Interpret a new group holding participants seen in training anyway; recorded.</summary>
    [Parameter]
    public SwitchParameter AllowDataLeakage { get; set; }

    /// <summary>Replace an interpretation of the same name.</summary>
    [Parameter]
    public SwitchParameter Overwrite { get; set; }

    /// <summary>Replace without asking (as -Confirm:$false); never widens what is replaced.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The device to compute on (cpu, cuda, cuda:N); by default the one the MAPS was trained on.</summary>
    [Parameter]
    public string? Device { get; set; }

    private readonly DistinctPaths _done = new();

    protected override void Process()
    {
        var maps = ProviderPath(MapsPath);
        // Prediction rows name their MAPS and data group once per session: each pair is interpreted once.
        if (!_done.FirstTime(maps, DataGroup) || !ShouldProcess($"{maps}, data group {DataGroup}", $"Write {Method} saliency maps 'interpret-{Name}'")
            || (Overwrite && !ConfirmReplace(maps, $"interpretation 'interpret-{Name}' (where it exists)", Force, occupied: true)))
        {
            return;
        }
        var options = new InterpretationOptions
        {
            MapsPath = maps, DataGroup = DataGroup, Name = Name, Splits = Split, SelectionMetrics = SelectionMetric, SaveIndividual = SaveIndividual,
            CapsPath = CapsPath is null ? null : ProviderPath(CapsPath), TsvPath = TsvPath is null ? null : ProviderPath(TsvPath), AllowDataLeakage = AllowDataLeakage, Overwrite = Overwrite, Device = Device,
            Settings = new SaliencySettings
            {
                Method = Method, TargetNode = TargetNode, SmoothGradSamples = SmoothGradSamples, SmoothGradNoise = SmoothGradNoise, OcclusionSize = OcclusionSize, GradCamLevel = GradCamLevel, Seed = Seed,
            },
        };
        var activity = $"Interpreting {DataGroup} ({Method})";
        try
        {
            var written = BackgroundWork.Run<IReadOnlyList<InterpretationMap>, InterpretationProgress>(this,
                (progress, log) => Interpreter.Run(options, log, progress, StopToken),
                p => WriteProgress(new ProgressRecord(0, activity, $"split {p.Split}, best-{p.SelectionMetric}: {p.Done} of {p.Total} session maps")
                {
                    PercentComplete = 100 * p.Done / Math.Max(1, p.Total),
                }));
            WriteProgress(new ProgressRecord(0, activity, "done") { RecordType = ProgressRecordType.Completed });
            if (written.Any(m => m.LeakageOverride))
            {
                WriteWarning($"Data group '{DataGroup}' holds participants seen in training; -AllowDataLeakage interpreted it anyway and the override is recorded in groups/{DataGroup}/maps.json.");
            }
            WriteObject(written, enumerateCollection: true);
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            WriteError(ToErrorRecord(error, DataGroup));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
