using System.Management.Automation;
using ClinicaDL.Core.Networks;
using ClinicaDL.Core.Selection;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Lists the network architectures with their parameters and the input shapes they accept. A name without
/// wildcards that names no network is an error (NetworkNotFound) listing the networks, as Get-Process -Name does.
/// With -Path, builds a network file for -InputShape and describes its layers, each one's output shape, the
/// parameter count and a training step's memory (<see cref="NetworkSummary"/>).
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClinicaDLNetwork", DefaultParameterSetName = NameSet)]
[OutputType(typeof(NetworkDescription), ParameterSetName = [NameSet])]
[OutputType(typeof(NetworkSummary), ParameterSetName = [PathSet, LiteralPathSet])]
public sealed class GetClinicaDLNetworkCommand : ClinicaDLCmdlet
{
    private const string NameSet = "Name";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    private readonly HashSet<string> _listed = new(StringComparer.OrdinalIgnoreCase);

    [ArgumentCompleter(typeof(Completers.NetworkCompleter))]
    [Parameter(Position = 0, ParameterSetName = NameSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = ["*"];

    /// <summary>Network files (.psd1 or .json) to describe.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The shape of one sample, channels first: 1,169,208,179 for Clinica's cropped t1-linear image.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [ValidateCount(3, 4)]
    [ValidateRange(1, int.MaxValue)]
    public long[] InputShape { get; set; } = [];

    /// <summary>The outputs of a classification or regression network (the classes; 1 for regression). Default 2.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateRange(1, int.MaxValue)]
    public int OutputSize { get; set; } = 2;

    /// <summary>The batch of the training step whose memory is estimated. Default 8 (ClinicaDL's batch_size).</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateRange(1, int.MaxValue)]
    public int BatchSize { get; set; } = 8;

    /// <summary>The optimiser whose state the estimate counts. Default Adam.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateSet("Adam", "AdamW", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax")]
    public string Optimizer { get; set; } = "Adam";

    /// <summary>The dropout of Dropout layers that give no P (the training's -Dropout). Default 0.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateRange(0.0, 0.999999)]
    public double Dropout { get; set; }

    protected override void Process()
    {
        if (ParameterSetName != NameSet)
        {
            var files = ParameterSetName == LiteralPathSet ? ResolveExisting(LiteralPath, literal: true, File.Exists) : ResolveExisting(Path, literal: false, File.Exists);
            foreach (var file in files)
            {
                try
                {
                    WriteObject(NetworkFile.Load(file).Summarize(InputShape, OutputSize, Dropout, BatchSize, Optimizer));
                }
                catch (Exception error) when (IsInputFailure(error))
                {
                    WriteError(ToErrorRecord(error, file));
                }
            }
            return;
        }
        foreach (var name in Name)
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var matches = NetworkRegistry.All.Where(n => pattern.IsMatch(n.Name)).ToList();
            // A pattern that matches nothing is an empty answer; a plain name that matches nothing is a typo.
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                WriteError(SelectionErrors.NotFound(new MissingName(NotFoundKind.Network, name, "ClinicaDL", NetworkRegistry.Names.ToList())));
            }
            // Overlapping patterns (Conv*, Conv5*) list each network once.
            WriteObject(matches.Where(n => _listed.Add(n.Name)), enumerateCollection: true);
        }
    }
}
