using System.Collections;
using System.Management.Automation;
using ClinicaDL.Core.Runtime;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>Describes the software and hardware the module runs on (versions, CPU, threads, devices).</summary>
[Cmdlet(VerbsCommon.Get, "ClinicaDLEnvironment")]
[OutputType(typeof(EnvironmentInfo))]
public sealed class GetClinicaDLEnvironmentCommand : ClinicaDLCmdlet
{
    protected override void End()
    {
        try
        {
            WriteObject(EnvironmentInfo.Capture("PowerShell", PowerShellVersion(this)));
        }
        catch (TorchRuntimeException error)
        {
            ThrowTerminatingError(new ErrorRecord(error, ErrorIds.TorchUnavailable, ErrorCategory.ResourceUnavailable, null));
        }
    }

    internal static string PowerShellVersion(PSCmdlet cmdlet) =>
        (cmdlet.SessionState.PSVariable.GetValue("PSVersionTable") as Hashtable)?["PSVersion"]?.ToString() ?? "unknown";
}
