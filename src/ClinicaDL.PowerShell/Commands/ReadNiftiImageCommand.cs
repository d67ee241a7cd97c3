using System.Management.Automation;
using ClinicaDL.Core.Imaging;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>Reads NIfTI-1/NIfTI-2/ANALYZE images; one <see cref="NiftiImage"/> per file, errors per file.</summary>
[Cmdlet(VerbsCommunications.Read, "NiftiImage", DefaultParameterSetName = PathSet)]
[OutputType(typeof(NiftiImage))]
public sealed class ReadNiftiImageCommand : PathInputCmdlet
{
    private NiftiReadOptions _options = new();

    /// <summary>Read headers only; the voxels are read when GetData() is first called.</summary>
    [Parameter]
    public SwitchParameter HeaderOnly { get; set; }

    /// <summary>The most memory one image's stored voxels may take (default 4GB, or CLINICADL_MAX_IMAGE_BYTES).</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long MaxImageBytes { get; set; }

    protected override void Begin()
    {
        try
        {
            _options = MyInvocation.BoundParameters.ContainsKey(nameof(MaxImageBytes))
                ? new NiftiReadOptions { MaxImageBytes = MaxImageBytes }
                : NiftiReadOptions.FromEnvironment();
        }
        catch (ArgumentException error)
        {
            ThrowTerminatingError(ToErrorRecord(error, NiftiReadOptions.MaxImageBytesVariable));
        }
    }

    protected override void Process()
    {
        foreach (var file in InputPaths(File.Exists))
        {
            try
            {
                WriteObject(HeaderOnly ? NiftiReader.ReadHeader(file, _options) : NiftiReader.Read(file, _options));
            }
            catch (Exception error) when (IsInputFailure(error))
            {
                WriteError(ToErrorRecord(error, file));
            }
        }
    }
}
