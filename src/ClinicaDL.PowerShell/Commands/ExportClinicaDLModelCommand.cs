using System.Management.Automation;
using ClinicaDL.Core.Export;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Writes a kept model of a MAPS (one split, one selection metric, and with multi_network one network) as a file
/// that other tools run: ONNX (opset 17, input "input" [batch, sample shape], output "output" the raw outputs), or
/// ClinicaDL's model.pth.tar (PyTorch's format, ClinicaDL's layer names).
/// Emits one <see cref="ExportedModel"/> describing the file.
/// </summary>
[Cmdlet(VerbsData.Export, "ClinicaDLModel", SupportsShouldProcess = true)]
[OutputType(typeof(ExportedModel))]
public sealed class ExportClinicaDLModelCommand : ClinicaDLCmdlet
{
    /// <summary>The MAPS folder; Get-MapsInfo's objects and training results bind through their MapsPath, folder items through their PSPath.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    public string MapsPath { get; set; } = "";

    /// <summary>The file to write (its folder is created).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string OutputPath { get; set; } = "";

    /// <summary>
    /// The file format: Onnx, or PyTorch (ClinicaDL's model.pth.tar). TorchScript is not offered: TorchSharp 0.107 loads and runs TorchScript files but cannot
    /// script or trace a module defined in .NET.
    /// </summary>
    [Parameter]
    [ValidateSet(nameof(ModelFormat.Onnx), nameof(ModelFormat.PyTorch))]
    public string Format { get; set; } = nameof(ModelFormat.Onnx);

    /// <summary>The split whose model to export; may be left out when the MAPS has one split.</summary>
    [ArgumentCompleter(typeof(Completers.SplitCompleter))]
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? Split { get; set; }

    /// <summary>The selection metric whose best model to export (default: loss, or the MAPS' first metric when it did not keep loss).</summary>
    [ArgumentCompleter(typeof(Completers.SelectionMetricCompleter))]
    [Parameter]
    [Alias("SelectionMetrics")]
    public string? SelectionMetric { get; set; }

    /// <summary>With a multi_network MAPS (one network per patch, slice or region), the network to export.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? Network { get; set; }

    /// <summary>Replace an existing file at -OutputPath.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private readonly DistinctPaths _done = new();
    private readonly HashSet<string> _written = new(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

    protected override void Process()
    {
        var maps = ProviderPath(MapsPath);
        if (!_done.FirstTime(maps))
        {
            return;
        }
        var output = ProviderPath(OutputPath);
        if (!ShouldProcess(output, $"Export the {Format} model of {maps}"))
        {
            return;
        }
        try
        {
            // Several MAPS piped to one -OutputPath would each replace the last one's file (with -Force): refused.
            if (_written.Contains(output))
            {
                throw new ArgumentException($"'{output}' was already written by this command for another MAPS; give each MAPS its own -OutputPath.");
            }
            var options = new ModelExportOptions
            {
                MapsPath = maps, OutputPath = output, Format = Enum.Parse<ModelFormat>(Format, ignoreCase: true), Split = Split,
                SelectionMetric = SelectionMetric, Network = Network, Overwrite = Force,
            };
            var activity = $"Exporting the model of {maps}";
            var result = BackgroundWork.Run<ExportedModel, string>(this,
                (_, log) => ModelExporter.Export(options, log),
                step => WriteProgress(new ProgressRecord(3, activity, step)));
            WriteProgress(new ProgressRecord(3, activity, "done") { RecordType = ProgressRecordType.Completed });
            _written.Add(output);
            WriteObject(result);
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            WriteError(ToErrorRecord(error, maps));
        }
    }
}
