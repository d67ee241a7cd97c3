using System.Management.Automation;
using ClinicaDL.Core.Runtime;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Proves the installation works end to end: trains a tiny 3D CNN for a few steps and reports the losses.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "ClinicaDLEnvironment")]
[OutputType(typeof(SmokeTestResult))]
public sealed class TestClinicaDLEnvironmentCommand : ClinicaDLCmdlet
{

    [Parameter]
    [ValidateSet("cpu", "cuda")]
    public string Device { get; set; } = "cpu";

    [Parameter]
    [ValidateRange(2, 10000)]
    public int Steps { get; set; } = 20;

    [Parameter]
    public long Seed { get; set; }

    protected override void End()
    {
        try
        {
            WriteObject(TrainingSmokeTest.Run(Device, Steps, Seed, StopToken));
        }
        catch (TorchRuntimeException error)
        {
            ThrowTerminatingError(new ErrorRecord(error, ErrorIds.TorchUnavailable, ErrorCategory.ResourceUnavailable, Device));
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: nothing was written, nothing to report.
        }
    }
}
