namespace ClinicaDL.Bench;

/// <summary>The shared reference data beside the repository (../shared/testdata), or the folder CLINICADL_TESTDATA names.</summary>
internal static class SharedTestData
{
    /// <summary>The file's full path, or null when the test data (or the file) is absent.</summary>
    public static string? File(params string[] parts)
    {
        var testData = Environment.GetEnvironmentVariable("CLINICADL_TESTDATA");
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); testData is null && folder is not null; folder = folder.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(folder.FullName, "ClinicaDL.psd1")))
            {
                testData = Path.Combine(folder.FullName, "..", "shared", "testdata");
            }
        }
        var path = testData is null ? null : Path.GetFullPath(Path.Combine([testData, .. parts]));
        return System.IO.File.Exists(path) ? path : null;
    }
}
