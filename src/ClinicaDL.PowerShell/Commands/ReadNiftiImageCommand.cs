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

    protected override void Process()
    {
        foreach (var file in InputPaths(File.Exists))
        {
            try
            {
                WriteObject(HeaderOnly ? NiftiReader.ReadHeader(file) : NiftiReader.Read(file));
            }
            catch (Exception error) when (IsInputFailure(error))
            {
                WriteError(ToErrorRecord(error, file));
            }
        }
    }
}
