using System.Management.Automation;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Selection;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Builds labels (ClinicaDL <c>get-labels</c>) from a BIDS dataset, piped BIDS sessions or a merged TSV; writes
/// labels.tsv and labels.json when -OutputPath is given; emits one row object per session. Filters that leave no
/// session are an error before anything is written (NothingSelected), and a filter that drops more than a tenth of
/// the sessions says so in a warning with the counts.
/// </summary>
// No DefaultParameterSetName, against the house rule, on purpose: with a default set PowerShell binds piped
// objects to that set's parameters only, and BIDS sessions (by value) and objects naming a dataset (by property
// name) could not both be piped. The three sets are told apart by their mandatory parameters anyway.
[Cmdlet(VerbsCommon.Get, "ClinicaDLLabel", SupportsShouldProcess = true)]
[OutputType(RowTypeName)]
public sealed class GetClinicaDLLabelCommand : ClinicaDLCmdlet
{
    public const string RowTypeName = "ClinicaDL.LabelRow";
    private const string BidsSet = "Bids";
    private const string MergedSet = "Merged";
    private const string PipelineSet = "Pipeline";

    private readonly List<BidsSession> _sessions = [];

    /// <summary>The BIDS datasets named by -BidsPath or by piped objects, in order, each once.</summary>
    private readonly List<string> _datasets = [];

    /// <summary>
    /// The BIDS dataset, or a file or folder inside it: objects with a BidsPath (New-ClinicaDLSyntheticDataset's
    /// sessions) or a PSPath (Get-Item) bind to it, and each dataset is labelled once.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = BidsSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    [ValidateNotNullOrEmpty]
    public string BidsPath { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = MergedSet)]
    [ValidateNotNullOrEmpty]
    public string MergedTsv { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = PipelineSet, ValueFromPipeline = true)]
    public BidsSession? InputObject { get; set; }

    /// <summary>The diagnoses to keep; each named must exist in the data (DatasetItemNotFound otherwise).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.DiagnosisCompleter))]
    [Alias("Diagnoses")]
    public string[] Diagnosis { get; set; } = ["AD", "CN"];

    [Parameter]
    public string? Modality { get; set; }

    [Parameter]
    public string? RestrictionPath { get; set; }

    [Parameter]
    public string[] VariableOfInterest { get; set; } = [];

    [Parameter]
    public SwitchParameter RemoveUniqueSession { get; set; }

    [Parameter]
    public SwitchParameter KeepSmc { get; set; }

    [Parameter]
    public string? DiagnosisColumn { get; set; }

    /// <summary>For datasets without ses- folders: the session label to use (none is invented otherwise).</summary>
    [Parameter]
    public string? DefaultSession { get; set; }

    /// <summary>labels.tsv (or a folder to hold it); labels.json is written beside it.</summary>
    [Parameter]
    public string? OutputPath { get; set; }

    protected override void Process()
    {
        if (InputObject is not null)
        {
            _sessions.Add(InputObject);
        }
        if (ParameterSetName == BidsSet && BidsPath.Length > 0)
        {
            var dataset = BidsDataset.RootOf(ProviderPath(BidsPath));
            if (!_datasets.Contains(dataset))
            {
                _datasets.Add(dataset);
            }
        }
    }

    protected override void End()
    {
        // An empty pipeline leaves -BidsPath unbound: say so instead of labelling the current folder.
        if (ParameterSetName != MergedSet && _sessions.Count == 0 && _datasets.Count == 0)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException(
                "Nothing came through the pipeline: pipe BIDS sessions (Import-BidsDataset) or objects with a BidsPath, or give -BidsPath."),
                ErrorIds.InvalidInput, ErrorCategory.InvalidArgument, null));
        }
        if (_datasets.Count > 1 && OutputPath is not null)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException(
                $"{_datasets.Count} BIDS datasets came through the pipeline ({string.Join(", ", _datasets)}), but -OutputPath writes one labels.tsv; label each dataset on its own."),
                ErrorIds.InvalidInput, ErrorCategory.InvalidArgument, _datasets.ToArray()));
        }
        var options = new LabelOptions
        {
            Diagnoses = Diagnosis,
            CheckDiagnoses = MyInvocation.BoundParameters.ContainsKey(nameof(Diagnosis)),
            Modality = Modality,
            RestrictionPath = RestrictionPath is null ? null : ProviderPath(RestrictionPath),
            VariablesOfInterest = VariableOfInterest,
            RemoveUniqueSession = RemoveUniqueSession,
            KeepSmc = KeepSmc,
            DiagnosisColumn = DiagnosisColumn,
            DefaultSession = DefaultSession,
        };
        switch (ParameterSetName)
        {
            case MergedSet:
                Label(() => LabelBuilder.FromTable(TsvTable.Read(ProviderPath(MergedTsv)), options), options, null, ProviderPath(MergedTsv), MergedTsv);
                break;
            case BidsSet:
                _datasets.ForEach(dataset => Label(() => LabelBuilder.FromBids(BidsDataset.Scan(dataset), options), options, dataset, null, dataset));
                break;
            default:
                Label(() => LabelBuilder.FromBids(PipedScan(), options), options, null, null, _sessions[0].DatasetPath);
                break;
        }
    }

    /// <summary>Builds one labels table; every refusal comes before anything is written.</summary>
    private void Label(Func<LabelResult> build, LabelOptions options, string? bidsPath, string? mergedTsv, string target)
    {
        LabelResult result;
        try
        {
            result = build();
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            ThrowTerminatingError(ToErrorRecord(error, target));
            return;
        }
        result.Notes.ToList().ForEach(note => WriteVerbose(note));
        if (result.Drops.IsLarge)
        {
            WriteWarning($"Labels of '{target}': {result.Drops.Summary}.");
        }
        if (result.AgeColumn is null || result.SexColumn is null)
        {
            WriteWarning($"No {(result.AgeColumn is null ? "age" : "sex")} column was found: a split will need -IgnoreDemographics.");
        }
        if (OutputPath is not null)
        {
            var path = ProviderPath(OutputPath);
            if (Directory.Exists(path))
            {
                path = Path.Combine(path, "labels.tsv");
            }
            if (ShouldProcess(path, $"Write {result.Labels.Rows.Count} label rows"))
            {
                LabelFiles.Write(path, result, options, bidsPath, mergedTsv);
            }
        }
        WriteObject(TableObjects.ToObjects(result.Labels, RowTypeName), enumerateCollection: true);
    }

    private BidsScan PipedScan() => new()
    {
        DatasetPath = _sessions[0].DatasetPath,
        Sessions = _sessions,
        Issues = [],
        HasSessions = _sessions.Any(s => s.SessionId is not null),
        ParticipantsColumns = [],
    };
}
