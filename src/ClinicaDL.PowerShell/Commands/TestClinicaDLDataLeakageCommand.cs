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

    protected override void Process()
    {
        LeakageAudit audit;
        try
        {
            audit = ParameterSetName == MapsSet
                ? DataLeakageAuditor.AuditMaps(ProviderPath(MapsPath), ProviderPath(DataPath))
                : DataLeakageAuditor.AuditSplitTree(ProviderPath(Path));
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            WriteError(ToErrorRecord(error, ParameterSetName == MapsSet ? MapsPath : Path));
            return;
        }
        foreach (var finding in audit.Findings)
        {
            WriteObject(finding);
            if (Strict && finding.Severity == "Error")
            {
                WriteError(new ErrorRecord(new InvalidDataException($"Data leakage ({finding.Kind}, {finding.Scenario}): {finding.Message} Participants: {string.Join(", ", finding.Participants.Take(20))}"),
                    ErrorIds.DataLeakage, ErrorCategory.InvalidData, finding));
            }
        }
        WriteObject(audit);
    }
}
