using System.Text.RegularExpressions;
using TorchSharp;

namespace ClinicaDL.Core.Runtime;

/// <summary>No libtorch runtime is on this machine: the message says where the module looked and what to run.</summary>
public sealed class RuntimeMissingException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>What to run to get a runtime.</summary>
    public const string Remedy = "Install-ClinicaDLRuntime -Device Cpu (or -Device Cuda on a machine with an NVIDIA GPU)";

    /// <summary>The libraries of a libtorch runtime, as a loader names them ('LibTorchSharp', 'libtorch_cpu.so', 'c10.dll'...).</summary>
    private static readonly Regex TorchLibrary = new(@"'(lib)?(LibTorchSharp|torch(_cpu|_cuda|_global_deps)?|c10(_cuda)?)(\.so[.\d]*|\.dll|\.dylib)?'", RegexOptions.IgnoreCase);

    /// <summary>The sentence that says no runtime was found for a module in <paramref name="moduleFolder"/>, and where it looked.</summary>
    public static string NotFound(string moduleFolder) =>
        $"No libtorch runtime is installed for {RuntimePackages.CurrentRuntimeIdentifier()} (looked in {string.Join(", ", RuntimeLocation.SearchedFolders(moduleFolder))})." +
        OtherVersions(RuntimeLocation.OtherTorchSharpRuntimes(RuntimeLocation.SearchedFolders(moduleFolder).Skip(1).ToList()));

    /// <summary>The sentence naming runtimes made for another TorchSharp than the module's, and both versions; empty when there are none.</summary>
    internal static string OtherVersions(IReadOnlyList<(string Folder, string TorchSharp)> others) => others.Count == 0 ? "" :
        $" {string.Join("; ", others.Select(o => $"{o.Folder} is a runtime for TorchSharp {o.TorchSharp}"))}, " +
        $"but this module's TorchSharp is {RuntimePackages.TorchSharpVersion}, whose native library must match it.";

    /// <summary>
    /// The failure of a command that needs libtorch in a module in <paramref name="moduleFolder"/> that found no
    /// runtime; <paramref name="inner"/> is the loader's own failure, when there was one.
    /// </summary>
    public static RuntimeMissingException For(string moduleFolder, Exception? inner = null) =>
        new($"{NotFound(moduleFolder)} Run: {Remedy}, then run this command again.", inner);

    /// <summary>
    /// Whether <paramref name="error"/> (or one inside it) is TorchSharp failing to load libtorch: its type
    /// initializer, or a native library of libtorch not found. Another library not found (SkiaSharp's, a
    /// codec's) is not the runtime's absence and keeps its own message.
    /// </summary>
    public static bool IsTorchLoadFailure(Exception error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is TypeInitializationException initializer && initializer.TypeName.StartsWith("TorchSharp", StringComparison.Ordinal))
            {
                return true;
            }
            if (current is DllNotFoundException notFound
                && (notFound.TargetSite?.DeclaringType?.Assembly == typeof(torch).Assembly || TorchLibrary.IsMatch(notFound.Message)))
            {
                return true;
            }
        }
        return false;
    }
}
