using System.Management.Automation;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Selection;
using ClinicaDL.Core.Workflows;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Evaluates a MAPS' best models on a data group (ClinicaDL <c>predict</c>), writing groups/&lt;group&gt;/ and the
/// results under every split-&lt;k&gt;/best-&lt;metric&gt;/; refuses participants seen in training (ErrorId
/// DataLeakage) unless -AllowDataLeakage, which is recorded. Emits one <see cref="PredictionRow"/> per session, split and metric.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ClinicaDLPrediction", SupportsShouldProcess = true)]
[OutputType(typeof(PredictionRow))]
public sealed class InvokeClinicaDLPredictionCommand : ClinicaDLCmdlet
{

    /// <summary>The MAPS folder; folder items bind through their PSPath, training results through their MapsPath (one prediction per MAPS).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    public string MapsPath { get; set; } = "";

    [ArgumentCompleter(typeof(Completers.DataGroupCompleter))]
    [Parameter(Mandatory = true, Position = 1)]
    public string DataGroup { get; set; } = "";

    [Parameter]
    [Alias("CapsDirectory")]
    public string? CapsPath { get; set; }

    [Parameter]
    public string? TsvPath { get; set; }

    [ArgumentCompleter(typeof(Completers.SelectionMetricCompleter))]
    [Parameter]
    [Alias("SelectionMetrics")]
    public string[]? SelectionMetric { get; set; }

    [ArgumentCompleter(typeof(Completers.SplitCompleter))]
    [Parameter]
    public int[]? Split { get; set; }

    [Parameter]
    public SwitchParameter NoLabel { get; set; }

    /// <summary>Evaluate participants seen in training anyway; recorded in the group's maps.json and every result.</summary>
    [Parameter]
    public SwitchParameter AllowDataLeakage { get; set; }

    /// <summary>Redefine an existing data group, replacing its earlier results.</summary>
    [Parameter]
    public SwitchParameter Overwrite { get; set; }

    /// <summary>Replace without asking (as -Confirm:$false); never widens what is replaced.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Reconstruction: write every input and its reconstruction as .tensor files (tensors/).</summary>
    [Parameter]
    public SwitchParameter SaveTensor { get; set; }

    /// <summary>Reconstruction: write every input and its reconstruction as NIfTI with the source image's affine (nifti_images/).</summary>
    [Parameter]
    public SwitchParameter SaveNifti { get; set; }

    /// <summary>The device to evaluate on (cpu, cuda, cuda:N); by default the one the MAPS was trained on.</summary>
    [Parameter]
    public string? Device { get; set; }

    private readonly DistinctPaths _done = new();

    protected override void Process()
    {
        var maps = ProviderPath(MapsPath);
        // Training emits one result per split, all naming the same MAPS: its prediction is made once.
        if (!_done.FirstTime(maps) || !ShouldProcess($"{maps}, data group {DataGroup}", "Predict")
            || (Overwrite && CapsPath is not null && !ConfirmReplace(new MapsLayout(maps).Group(DataGroup), $"data group '{DataGroup}' and its results", Force)))
        {
            return;
        }
        var options = new PredictionOptions
        {
            MapsPath = maps, DataGroup = DataGroup, CapsPath = CapsPath is null ? null : ProviderPath(CapsPath), TsvPath = TsvPath is null ? null : ProviderPath(TsvPath),
            SelectionMetrics = SelectionMetric, Splits = Split, NoLabel = NoLabel, AllowDataLeakage = AllowDataLeakage, Overwrite = Overwrite,
            SaveTensor = SaveTensor, SaveNifti = SaveNifti, Device = Device,
        };
        try
        {
            var rows = Predictor.Predict(options, WriteVerbose, StopToken, drops =>
            {
                var message = $"Data group '{DataGroup}' of '{maps}': {drops.Summary}.";
                if (drops.IsLarge)
                {
                    WriteWarning(message);
                }
                else
                {
                    WriteVerbose(message);
                }
            });
            if (rows.Any(r => r.LeakageOverride))
            {
                WriteWarning($"Data group '{DataGroup}' holds participants seen in training; -AllowDataLeakage evaluated it anyway and the override is recorded in groups/{DataGroup}/maps.json. Its results are biased.");
            }
            WriteObject(rows, enumerateCollection: true);
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
