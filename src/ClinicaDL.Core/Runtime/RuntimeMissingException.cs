namespace ClinicaDL.Core.Runtime;

/// <summary>No libtorch runtime is on this machine: the message says where the module looked and what to run.</summary>
public sealed class RuntimeMissingException(string message) : Exception(message)
{
    /// <summary>The message for a module in <paramref name="moduleFolder"/> that found no runtime.</summary>
    public static RuntimeMissingException For(string moduleFolder) => new(
        $"No libtorch runtime is installed for {RuntimePackages.CurrentRuntimeIdentifier()} (looked in {string.Join(", ", RuntimeLocation.SearchedFolders(moduleFolder))}). " +
        "Run: Install-ClinicaDLRuntime -Device Cpu (or -Device Cuda on a machine with an NVIDIA GPU), then run this command again.");
}
