using System.Management.Automation;
using ClinicaDL.Core.Imaging;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>Reads NIfTI-1/NIfTI-2/ANALYZE images; one <see cref="NiftiImage"/> per file, errors per file.</summary>
[Cmdlet(VerbsCommunications.Read, "NiftiImage", DefaultParameterSetName = PathSet)]
[OutputType(typeof(NiftiImage))]
public sealed class ReadNiftiImageCommand : PSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>Read headers only; the voxels are read when GetData() is first called.</summary>
    [Parameter]
    public SwitchParameter HeaderOnly { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var file in ResolveFiles())
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

    private IEnumerable<string> ResolveFiles()
    {
        if (ParameterSetName == LiteralPathSet)
        {
            foreach (var literal in LiteralPath)
            {
                var file = GetUnresolvedProviderPathFromPSPath(literal);
                if (File.Exists(file))
                {
                    yield return file;
                }
                else
                {
                    WriteError(NotFound(literal));
                }
            }
            yield break;
        }
        foreach (var pattern in Path)
        {
            List<string> files;
            try
            {
                files = GetResolvedProviderPathFromPSPath(pattern, out _).Where(File.Exists).ToList();
            }
            catch (ItemNotFoundException)
            {
                files = [];
            }
            if (files.Count == 0)
            {
                WriteError(NotFound(pattern));
            }
            foreach (var file in files)
            {
                yield return file;
            }
        }
    }

    private static ErrorRecord NotFound(string path) => new(
        new ItemNotFoundException($"No NIfTI file matches '{path}'."), ErrorIds.PathNotFound, ErrorCategory.ObjectNotFound, path);
}
