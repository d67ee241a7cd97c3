using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;
using ClinicaDL.Core.Runtime;

namespace ClinicaDL.PowerShell;

/// <summary>
/// pwsh does not read the module's deps.json, so the module's own dependencies (ClinicaDL.Core, TorchSharp
/// and theirs) are resolved from the module folder here. The libtorch natives come from the runtime
/// <see cref="TorchRuntime.Locate"/> finds: next to TorchSharp.dll (a build from source) or an installed runtime.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly string ModuleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;

    public void OnImport()
    {
        AssemblyLoadContext.Default.Resolving += ResolveFromModuleFolder;
        TorchRuntime.Locate();
    }

    public void OnRemove(PSModuleInfo module) => AssemblyLoadContext.Default.Resolving -= ResolveFromModuleFolder;

    private static Assembly? ResolveFromModuleFolder(AssemblyLoadContext context, AssemblyName name)
    {
        var candidate = Path.Combine(ModuleDirectory, name.Name + ".dll");
        return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
    }
}
