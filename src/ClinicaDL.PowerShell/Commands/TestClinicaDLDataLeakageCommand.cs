using System.Management.Automation;
using ClinicaDL.Core.Splits;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Audits a split folder tree, or a MAPS against a data TSV, for data leakage: emits one
/// <see cref="LeakageFinding"/> per problem, then a <see cref="LeakageAudit"/> summary. With -Strict every
/// finding of severity Error is also reported as an error with ErrorId DataLeakage.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "ClinicaDLDataLeakage", DefaultParameterSetName = PathSet)]
[OutputType(typeof(LeakageFinding), typeof(LeakageAudit))]
public sealed class TestClinicaDLDataLeakageCommand : ClinicaDLCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string MapsSet = "Maps";

    private readonly DistinctPaths _done = new();
    private readonly List<string> _roots = [];

    /// <summary>Folders holding split/ and k-fold folders (split.json, kfold.json).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = MapsSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string MapsPath { get; set; } = "";

    /// <summary>The data TSV one would evaluate the MAPS on (-TsvPath, as prediction names it; -DataPath is the older name).</summary>
    [Parameter(Mandatory = true, ParameterSetName = MapsSet)]
    [Alias("DataPath")]
    [ValidateNotNullOrEmpty]
    public string TsvPath { get; set; } = "";

    [Parameter]
    public SwitchParameter Strict { get; set; }

    protected override void Process()
    {
        if (ParameterSetName == MapsSet)
        {
            var maps = ProviderPath(MapsPath);
            // Training results name their MAPS once per split: it is audited once.
            if (_done.FirstTime(maps))
            {
                Report(() => DataLeakageAuditor.AuditMaps(maps, ProviderPath(TsvPath)), MapsPath);
            }
            return;
        }
        // Piped folds of one k-fold folder audit that folder once, in End.
        var literal = ParameterSetName == LiteralPathSet;
        foreach (var folder in ResolveExisting(literal ? LiteralPath : Path, literal, Directory.Exists))
        {
            var root = DataLeakageAuditor.AuditRoot(folder);
            if (!_roots.Contains(root, StringComparer.Ordinal))
            {
                _roots.Add(root);
            }
        }
    }

    protected override void End()
    {
        foreach (var root in _roots)
        {
            Report(() => DataLeakageAuditor.AuditSplitTree(root), root);
        }
    }

    private void Report(Func<LeakageAudit> audit, string target)
    {
        LeakageAudit result;
        try
        {
            result = audit();
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            WriteError(ToErrorRecord(error, target));
            return;
        }
        foreach (var finding in result.Findings)
        {
            WriteObject(finding);
            if (finding.Kind == nameof(LeakageKind.NothingExamined))
            {
                WriteError(new ErrorRecord(new InvalidDataException($"The audit of '{result.Path}' examined nothing, so it does not pass: {finding.Message}."),
                    ErrorIds.LeakageAuditFailed, ErrorCategory.ObjectNotFound, result.Path));
            }
            else if (Strict && finding.Severity == "Error")
            {
                WriteError(new ErrorRecord(new InvalidDataException($"Data leakage ({finding.Kind}, {finding.Scenario}): {finding.Message} Participants: {string.Join(", ", finding.Participants.Take(20))}"),
                    ErrorIds.DataLeakage, ErrorCategory.InvalidData, finding));
            }
        }
        WriteObject(result);
    }
}
