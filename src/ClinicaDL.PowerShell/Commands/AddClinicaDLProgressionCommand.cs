using System.Management.Automation;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Adds ClinicaDL's <c>progression</c> column (p, r, s, us, uk) to a labels TSV, rewriting it (or writing
/// -OutputPath), and emits the rows.
/// </summary>
[Cmdlet(VerbsCommon.Add, "ClinicaDLProgression", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(GetClinicaDLLabelCommand.RowTypeName)]
public sealed class AddClinicaDLProgressionCommand : PathInputCmdlet
{
    private string? _written;

    /// <summary>Months ahead at which the diagnosis is compared.</summary>
    [Parameter]
    [ValidateRange(1, 1200)]
    public int TimeHorizon { get; set; } = 36;

    /// <summary>Where to write the result (one input file only); by default each input file is rewritten, as ClinicaDL does.</summary>
    [Parameter]
    public string? OutputPath { get; set; }

    protected override void Process()
    {
        foreach (var input in InputPaths(File.Exists))
        {
            try
            {
                var result = Progression.Add(TsvTable.Read(input), TimeHorizon);
                var output = OutputPath is null ? input : ProviderPath(OutputPath);
                // A second input would overwrite the first one's result in the same -OutputPath.
                if (_written is not null && _written != input && OutputPath is not null)
                {
                    WriteError(new ErrorRecord(new PSArgumentException($"-OutputPath '{output}' already holds the result of '{_written}'; add the progression of '{input}' on its own."),
                        ErrorIds.InvalidInput, ErrorCategory.InvalidArgument, input));
                    continue;
                }
                _written = input;
                if (ShouldProcess(output, "Write labels with the progression column"))
                {
                    result.Write(output);
                }
                WriteObject(TableObjects.ToObjects(result, GetClinicaDLLabelCommand.RowTypeName), enumerateCollection: true);
            }
            catch (Exception error) when (IsInputFailure(error))
            {
                WriteError(ToErrorRecord(error, input));
            }
        }
    }
}
