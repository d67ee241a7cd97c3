using System.Management.Automation;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Adds ClinicaDL's <c>progression</c> column (p, r, s, us, uk) to a labels TSV, rewriting it (or writing
/// -OutputPath), and emits the rows.
/// </summary>
[Cmdlet(VerbsCommon.Add, "ClinicaDLProgression", SupportsShouldProcess = true)]
[OutputType(typeof(PSObject))]
public sealed class AddClinicaDLProgressionCommand : ClinicaDLCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Months ahead at which the diagnosis is compared.</summary>
    [Parameter]
    [ValidateRange(1, 1200)]
    public int TimeHorizon { get; set; } = 36;

    /// <summary>Where to write the result; by default the input file is rewritten, as ClinicaDL does.</summary>
    [Parameter]
    public string? OutputPath { get; set; }

    protected override void Process()
    {
        var input = ProviderPath(Path);
        try
        {
            var result = Progression.Add(TsvTable.Read(input), TimeHorizon);
            var output = OutputPath is null ? input : ProviderPath(OutputPath);
            if (ShouldProcess(output, "Write labels with the progression column"))
            {
                result.Write(output);
            }
            WriteObject(TableObjects.ToObjects(result, GetClinicaDLLabelCommand.RowTypeName), enumerateCollection: true);
        }
        catch (Exception error) when (IsInputFailure(error))
        {
            WriteError(ToErrorRecord(error, Path));
        }
    }
}
