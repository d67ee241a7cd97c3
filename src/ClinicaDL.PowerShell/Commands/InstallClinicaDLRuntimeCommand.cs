using System.Management.Automation;
using ClinicaDL.Core.Runtime;
using ClinicaDL.PowerShell.Completers;

namespace ClinicaDL.PowerShell.Commands;

/// <summary>
/// Downloads the libtorch runtime that fits this machine (CPU, or CUDA on linux-x64 and win-x64) from the NuGet
/// sources of its NuGet.Config, and installs it where the module finds it at import.
/// </summary>
[Cmdlet(VerbsLifecycle.Install, "ClinicaDLRuntime", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RuntimeInstallation))]
public sealed class InstallClinicaDLRuntimeCommand : ClinicaDLCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    public RuntimeDevice Device { get; set; } = RuntimeDevice.Cpu;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public RuntimeScope Scope { get; set; } = RuntimeScope.CurrentUser;

    /// <summary>A configured source's name, a feed URL or a folder; by default every enabled source of NuGet.Config.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NuGetSourceCompleter))]
    public string? Source { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void Process()
    {
        var selection = RuntimePackages.Select(RuntimePackages.CurrentRuntimeIdentifier(), Device);
        var target = RuntimeLocation.Folder(Scope, selection);
        var sources = RuntimeInstaller.Sources(Source, SessionState.Path.CurrentFileSystemLocation.ProviderPath, ProviderPath);
        var action = $"Install {selection.LibTorch} and {selection.TorchSharp.Id}'s native library from {string.Join(", ", sources.Select(s => s.Source))}";
        if (!ShouldProcess(target, action))
        {
            return;
        }
        var result = BackgroundWork.Run<RuntimeInstallation, RuntimeInstallProgress>(this,
            (progress, log) => new RuntimeInstaller(selection, TorchRuntime.ModuleDirectory, log, progress).Install(Scope, sources, Force, StopToken),
            report => WriteProgress(new ProgressRecord(1, report.Activity, report.Status)
            {
                PercentComplete = report.Total > 0 ? (int)Math.Min(100, 100 * report.Done / report.Total) : -1,
            }));
        WriteProgress(new ProgressRecord(1, "Installing the libtorch runtime", "Done") { RecordType = ProgressRecordType.Completed });
        foreach (var package in result.Packages.Where(p => !p.HashVerified))
        {
            WriteWarning($"{package.Id} {package.Version}: {package.Source} publishes no SHA-512 for it, so its download could not be checked against one.");
        }
        if (RuntimeLocation.Find(TorchRuntime.ModuleDirectory) is { Origin: RuntimeOrigin.ModuleFolder } own)
        {
            WriteWarning($"This module's folder has libtorch of its own (a build from source), which it keeps using: {own.Directory}.");
        }
        else if (TorchRuntime.IsLoaded && TorchRuntime.Location is { } loaded && !string.Equals(loaded.Directory, result.Path, StringComparison.Ordinal))
        {
            WriteWarning($"This session already uses the runtime in {loaded.Directory}; new sessions use the one just installed.");
        }
        WriteObject(result);
    }
}
