namespace ClinicaDL.Core.Tests;

/// <summary>Finds the shared reference data (../shared/testdata beside the repository), which may be absent.</summary>
internal static class TestData
{
    public static string? Root { get; } = Locate();

    public static string SkipMessage => "../shared/testdata is absent (set CLINICADL_TESTDATA to its folder to run these tests)";

    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([Root ?? throw new SkipException(SkipMessage), .. parts]);

    private static string? Locate()
    {
        var configured = Environment.GetEnvironmentVariable("CLINICADL_TESTDATA");
        if (!string.IsNullOrEmpty(configured))
        {
            return Directory.Exists(configured) ? configured : null;
        }
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "ClinicaDL.psd1")))
            {
                var candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder.FullName, "..", "shared", "testdata"));
                return Directory.Exists(candidate) ? candidate : null;
            }
        }
        return null;
    }
}
