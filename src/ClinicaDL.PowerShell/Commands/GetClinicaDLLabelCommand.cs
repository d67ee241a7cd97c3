using System.Management.Automation;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Builds labels (ClinicaDL <c>get-labels</c>) from a BIDS dataset, piped BIDS sessions or a merged TSV; writes
/// labels.tsv and labels.json when -OutputPath is given; emits one row object per session.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClinicaDLLabel", DefaultParameterSetName = BidsSet, SupportsShouldProcess = true)]
[OutputType(typeof(PSObject))]
public sealed class GetClinicaDLLabelCommand : ClinicaDLCmdlet
{
    public const string RowTypeName = "ClinicaDL.LabelRow";
    private const string BidsSet = "Bids";
    private const string MergedSet = "Merged";
    private const string PipelineSet = "Pipeline";

    private readonly List<BidsSession> _sessions = [];

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = BidsSet)]
    [ValidateNotNullOrEmpty]
    public string BidsPath { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = MergedSet)]
    [ValidateNotNullOrEmpty]
    public string MergedTsv { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = PipelineSet, ValueFromPipeline = true)]
    public BidsSession? InputObject { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(Completers.DiagnosisCompleter))]
    public string[] Diagnoses { get; set; } = ["AD", "CN"];

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
    }

    protected override void End()
    {
        var options = new LabelOptions
        {
            Diagnoses = Diagnoses,
            Modality = Modality,
            RestrictionPath = RestrictionPath is null ? null : ProviderPath(RestrictionPath),
            VariablesOfInterest = VariableOfInterest,
            RemoveUniqueSession = RemoveUniqueSession,
            KeepSmc = KeepSmc,
            DiagnosisColumn = DiagnosisColumn,
            DefaultSession = DefaultSession,
        };
        LabelResult result;
        try
        {
            result = ParameterSetName switch
            {
                MergedSet => LabelBuilder.FromTable(TsvTable.Read(ProviderPath(MergedTsv)), options),
                BidsSet => LabelBuilder.FromBids(BidsDataset.Scan(ProviderPath(BidsPath)), options),
                _ => LabelBuilder.FromBids(PipedScan(), options),
            };
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            ThrowTerminatingError(ToErrorRecord(error, ParameterSetName == MergedSet ? MergedTsv : BidsPath));
            return;
        }
        result.Notes.ToList().ForEach(note => WriteVerbose(note));
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
                LabelFiles.Write(path, result, options, ParameterSetName == BidsSet ? ProviderPath(BidsPath) : null,
                    ParameterSetName == MergedSet ? ProviderPath(MergedTsv) : null);
            }
        }
        WriteObject(TableObjects.ToObjects(result.Labels, RowTypeName), enumerateCollection: true);
    }

    private BidsScan PipedScan() => new()
    {
        DatasetPath = _sessions.FirstOrDefault()?.DatasetPath ?? SessionState.Path.CurrentFileSystemLocation.Path,
        Sessions = _sessions,
        Issues = [],
        HasSessions = _sessions.Any(s => s.SessionId is not null),
        ParticipantsColumns = [],
    };
}
