using System.Management.Automation;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Demographics per diagnosis group (ClinicaDL <c>analysis</c>): subjects, age, sex, MMSE, CDR and scans;
/// -OutputPath also writes ClinicaDL's table.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClinicaDLDemographics", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(DemographicsRow))]
public sealed class GetClinicaDLDemographicsCommand : PathInputCmdlet
{
    /// <summary>Where to write ClinicaDL's table; with several labels files, the last one's.</summary>
    [Parameter]
    public string? OutputPath { get; set; }

    protected override void Process()
    {
        foreach (var input in InputPaths(File.Exists))
        {
            try
            {
                var rows = DemographicsAnalysis.Analyse(TsvTable.Read(input));
                if (OutputPath is not null && ShouldProcess(ProviderPath(OutputPath), "Write the demographics table"))
                {
                    DemographicsAnalysis.ToTable(rows).Write(ProviderPath(OutputPath));
                }
                WriteObject(rows, enumerateCollection: true);
            }
            catch (Exception error) when (IsInputFailure(error))
            {
                WriteError(ToErrorRecord(error, input));
            }
        }
    }
}
