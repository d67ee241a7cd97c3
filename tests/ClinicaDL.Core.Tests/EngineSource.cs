using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Tests;

/// <summary>The repository's own source files, for tests that hold a rule over every file rather than an instance.</summary>
internal static class EngineSource
{
    /// <summary>The repository root (where ClinicaDL.psd1 is), found upwards from the test assembly.</summary>
    public static string Repository
    {
        get
        {
            var folder = new DirectoryInfo(AppContext.BaseDirectory);
            while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "ClinicaDL.psd1")))
            {
                folder = folder.Parent;
            }
            return folder?.FullName ?? throw new InvalidOperationException($"No ClinicaDL.psd1 above '{AppContext.BaseDirectory}': the tests run from a copy of the repository.");
        }
    }

    /// <summary>src/ClinicaDL.Core.</summary>
    public static string Engine => Path.Combine(Repository, "src", "ClinicaDL.Core");

    /// <summary>The C# files under a source folder, build output left out.</summary>
    public static IReadOnlyList<string> Files(string folder) => FileTree.Files(folder, "*.cs")
        .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
        .ToList();
}
