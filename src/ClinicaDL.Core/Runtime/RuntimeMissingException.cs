namespace ClinicaDL.Core.Runtime;

/// <summary>No libtorch runtime is on this machine: the message says where the module looked and what to run.</summary>
public sealed class RuntimeMissingException(string message) : Exception(message)
{
    /// <summary>What to run to get a runtime.</summary>
    public const string Remedy = "Install-ClinicaDLRuntime -Device Cpu (or -Device Cuda on a machine with an NVIDIA GPU)";

    /// <summary>The sentence that says no runtime was found for a module in <paramref name="moduleFolder"/>, and where it looked.</summary>
    public static string NotFound(string moduleFolder) =>
        $"No libtorch runtime is installed for {RuntimePackages.CurrentRuntimeIdentifier()} (looked in {string.Join(", ", RuntimeLocation.SearchedFolders(moduleFolder))}).";

    /// <summary>The failure of a command that needs libtorch in a module in <paramref name="moduleFolder"/> that found no runtime.</summary>
    public static RuntimeMissingException For(string moduleFolder) => new($"{NotFound(moduleFolder)} Run: {Remedy}, then run this command again.");
}
