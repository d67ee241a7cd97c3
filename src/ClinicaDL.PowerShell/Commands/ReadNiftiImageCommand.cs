using System.Management.Automation;
using ClinicaDL.Core.Imaging;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>Reads NIfTI-1/NIfTI-2/ANALYZE images; one <see cref="NiftiImage"/> per file, errors per file.</summary>
[Cmdlet(VerbsCommunications.Read, "NiftiImage", DefaultParameterSetName = PathSet)]
[OutputType(typeof(NiftiImage))]
public sealed class ReadNiftiImageCommand : PathInputCmdlet
{
    /// <summary>Read headers only; the voxels are read when GetData() is first called.</summary>
    [Parameter]
    public SwitchParameter HeaderOnly { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var file in InputPaths(File.Exists))
        {
            try
            {
                WriteObject(HeaderOnly ? NiftiReader.ReadHeader(file) : NiftiReader.Read(file));
            }
            catch (InvalidNiftiException error)
            {
                WriteError(new ErrorRecord(error, ErrorIds.InvalidNiftiFile, ErrorCategory.InvalidData, file));
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                WriteError(new ErrorRecord(error, ErrorIds.FileReadFailed, ErrorCategory.ReadError, file));
            }
        }
    }
}
