using System.Management.Automation;
using ClinicaDL.Core.Splits;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Audits a split folder tree, or a MAPS against a data TSV, for data leakage: emits one
/// <see cref="LeakageFinding"/> per problem, then a <see cref="LeakageAudit"/> summary. With -Strict every
/// finding of severity Error is also reported as an error with ErrorId DataLeakage.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "ClinicaDLDataLeakage", DefaultParameterSetName = SplitSet)]
[OutputType(typeof(LeakageFinding), typeof(LeakageAudit))]
public sealed class TestClinicaDLDataLeakageCommand : ClinicaDLCmdlet
{
    private const string SplitSet = "Split";
    private const string MapsSet = "Maps";

    /// <summary>A folder holding split/ and k-fold folders (split.json, kfold.json).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = SplitSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = MapsSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string MapsPath { get; set; } = "";

    /// <summary>The data TSV one would evaluate the MAPS on.</summary>
    [Parameter(Mandatory = true, ParameterSetName = MapsSet)]
    [ValidateNotNullOrEmpty]
    public string DataPath { get; set; } = "";

    [Parameter]
    public SwitchParameter Strict { get; set; }

    private readonly List<string> _roots = [];

    protected override void Process()
    {
        if (ParameterSetName == MapsSet)
        {
            Report(() => DataLeakageAuditor.AuditMaps(ProviderPath(MapsPath), ProviderPath(DataPath)), MapsPath);
            return;
        }
        // Piped folds of one k-fold folder audit that folder once, in End.
        var root = DataLeakageAuditor.AuditRoot(ProviderPath(Path));
        if (!_roots.Contains(root, StringComparer.Ordinal))
        {
            _roots.Add(root);
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
            if (finding.Kind == LeakageKind.NothingExamined)
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
