using System.Management.Automation;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Extraction;
using ClinicaDL.Core.Selection;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// ClinicaDL's prepare-data: decodes every image of a CAPS once into tensor files under
/// deeplearning_prepare_data/ (and each patch, slice or ROI with -SaveFeatures), with the extraction JSON in
/// tensor_extraction/. Emits one <see cref="ExtractedImage"/> per image.
/// </summary>
[Cmdlet(VerbsData.Export, "ClinicaDLTensor", SupportsShouldProcess = true)]
[OutputType(typeof(ExtractedImage))]
public sealed class ExportClinicaDLTensorCommand : ClinicaDLCmdlet
{
    /// <summary>
    /// The CAPS folder, or a file or folder inside it: folder items bind through their PSPath and
    /// New-ClinicaDLSyntheticDataset's sessions through their CapsPath (an image), and each CAPS is extracted once.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "CapsDirectory")]
    public string CapsPath { get; set; } = "";

    private readonly DistinctPaths _done = new();

    [Parameter(Mandatory = true, Position = 1)]
    public ExtractionMode Mode { get; set; }

    [Parameter]
    [ValidateSet("t1-linear", "t1-extensive", "pet-linear", "flair-linear", "custom")]
    public string Preprocessing { get; set; } = "t1-linear";

    [Parameter]
    public SwitchParameter UseUncroppedImage { get; set; }

    [Parameter]
    public string? Tracer { get; set; }

    [Parameter]
    public string? SuvrReferenceRegion { get; set; }

    [Parameter]
    public string? CustomSuffix { get; set; }

    /// <summary>Only the sessions of this TSV (participant_id, session_id).</summary>
    [Parameter]
    public string? TsvPath { get; set; }

    [Parameter]
    public string? ExtractJson { get; set; }

    [Parameter]
    public SwitchParameter SaveFeatures { get; set; }

    [Parameter]
    public int PatchSize { get; set; } = 50;

    [Parameter]
    public int StrideSize { get; set; } = 50;

    [Parameter]
    public int SliceDirection { get; set; }

    [Parameter]
    [ValidateSet("rgb", "single")]
    public string SliceMode { get; set; } = "rgb";

    /// <summary>Slices dropped at the start and at the end of the axis.</summary>
    [Parameter]
    [ValidateCount(2, 2)]
    public int[] DiscardedSlices { get; set; } = [0, 0];

    [Parameter]
    public string[] RoiList { get; set; } = [];

    [Parameter]
    public SwitchParameter RoiUncropOutput { get; set; }

    [Parameter]
    public string? RoiCustomTemplate { get; set; }

    [Parameter]
    public string? RoiCustomMaskPattern { get; set; }

    /// <summary>Images extracted at once.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    /// <summary>Extract again what was already extracted; replace a different JSON of the same name.</summary>
    [Parameter]
    public SwitchParameter Overwrite { get; set; }

    /// <summary>Replace without asking (as -Confirm:$false); never widens what is replaced.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void Process()
    {
        var caps = CapsDataset.RootOf(ProviderPath(CapsPath));
        if (!_done.FirstTime(caps) || !ShouldProcess(caps, $"Extract {Mode} tensors ({Preprocessing})")
            || (Overwrite && !ConfirmReplace(caps, "extraction's tensors and JSON", Force, occupied: true)))
        {
            return;
        }
        var options = new ExtractionOptions
        {
            CapsPath = caps, Mode = Mode, Preprocessing = Preprocessing, UseUncroppedImage = UseUncroppedImage, Tracer = Tracer,
            SuvrReferenceRegion = SuvrReferenceRegion, CustomSuffix = CustomSuffix, SessionsTsv = TsvPath is null ? null : ProviderPath(TsvPath),
            ExtractJson = ExtractJson, SaveFeatures = SaveFeatures, PatchSize = PatchSize, StrideSize = StrideSize, SliceDirection = SliceDirection,
            SliceMode = SliceMode, DiscardedSlicesStart = DiscardedSlices[0], DiscardedSlicesEnd = DiscardedSlices[1], RoiList = RoiList,
            RoiUncropOutput = RoiUncropOutput, RoiCustomTemplate = RoiCustomTemplate, RoiCustomMaskPattern = RoiCustomMaskPattern,
            Threads = ThrottleLimit, Overwrite = Overwrite,
        };
        var activity = $"Extracting {Mode.ToString().ToLowerInvariant()} tensors";
        try
        {
            var results = BackgroundWork.Run<IReadOnlyList<ExtractedImage>, ExtractionProgress>(this,
                (progress, _) => TensorExtractor.Run(options, progress, StopToken),
                p => WriteProgress(new ProgressRecord(2, activity, $"{p.Done} of {p.Total} images") { PercentComplete = 100 * p.Done / Math.Max(1, p.Total) }));
            WriteProgress(new ProgressRecord(2, activity, "done") { RecordType = ProgressRecordType.Completed });
            WriteObject(results, enumerateCollection: true);
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
