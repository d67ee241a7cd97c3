using System.Management.Automation;

namespace ClinicaDL.PowerShell;

/// <summary>
/// Cmdlets that read files or folders named by -Path (wildcards, from the pipeline) or -LiteralPath (alias
/// PSPath, so Get-ChildItem output binds): one definition of the two parameter sets and their resolution.
/// </summary>
public abstract class PathInputCmdlet : ClinicaDLCmdlet
{
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The existing paths the parameters name; each that names nothing is reported as PathNotFound.</summary>
    protected IEnumerable<string> InputPaths(Func<string, bool> exists) =>
        ParameterSetName == LiteralPathSet ? ResolveExisting(LiteralPath, literal: true, exists) : ResolveExisting(Path, literal: false, exists);
}
