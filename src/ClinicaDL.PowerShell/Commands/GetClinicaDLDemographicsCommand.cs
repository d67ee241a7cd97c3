using System.Management.Automation;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Demographics per diagnosis group (ClinicaDL <c>analysis</c>): subjects, age, sex, MMSE, CDR and scans;
/// -OutputPath also writes ClinicaDL's table.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClinicaDLDemographics", SupportsShouldProcess = true)]
[OutputType(typeof(DemographicsRow))]
public sealed class GetClinicaDLDemographicsCommand : ClinicaDLCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter]
    public string? OutputPath { get; set; }

    protected override void Process()
    {
        try
        {
            var rows = DemographicsAnalysis.Analyse(TsvTable.Read(ProviderPath(Path)));
            if (OutputPath is not null && ShouldProcess(ProviderPath(OutputPath), "Write the demographics table"))
            {
                DemographicsAnalysis.ToTable(rows).Write(ProviderPath(OutputPath));
            }
            WriteObject(rows, enumerateCollection: true);
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            WriteError(ToErrorRecord(error, Path));
        }
    }
}
