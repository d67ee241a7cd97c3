using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Reports;

/// <summary>Report files appear whole or not at all, like every other file the module writes.</summary>
internal static class ReportFiles
{
    public static void WriteAtomically(string path, byte[] content)
    {
        using var file = AtomicFile.Create(path);
        file.Stream.Write(content);
        file.Commit();
    }
}
