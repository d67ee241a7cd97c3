using System.Management.Automation;
using ClinicaDL.Core.Conversion;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>Validates BIDS datasets: one <see cref="BidsValidationResult"/> per folder, with its issues.</summary>
[Cmdlet(VerbsDiagnostic.Test, "BidsDataset", DefaultParameterSetName = PathSet)]
[OutputType(typeof(BidsValidationResult))]
public sealed class TestBidsDatasetCommand : PathInputCmdlet
{
    /// <summary>Also read the header of every NIfTI image (empty placeholders then fail).</summary>
    [Parameter]
    public SwitchParameter CheckImages { get; set; }

    protected override void Process()
    {
        foreach (var folder in InputPaths(Directory.Exists))
        {
            try
            {
                var result = BidsValidator.Validate(folder, CheckImages);
                foreach (var issue in result.Issues)
                {
                    WriteVerbose($"{issue.Severity} {issue.Code}: {issue.Message}");
                }
                WriteObject(result);
            }
            catch (Exception error) when (IsInputFailure(error))
            {
                WriteError(ToErrorRecord(error, folder));
            }
        }
    }
}
