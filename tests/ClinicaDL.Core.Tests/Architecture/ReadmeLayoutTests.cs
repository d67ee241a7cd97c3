namespace ClinicaDL.Core.Tests.Architecture;

/// <summary>The README's layout table is the map a newcomer reads first: it names every top-level folder and every engine folder.</summary>
public sealed class ReadmeLayoutTests
{
    [Fact]
    public void The_layout_table_names_every_folder()
    {
        var readme = File.ReadAllText(Path.Combine(EngineSource.Repository, "README.md"));
        var start = readme.IndexOf("## Layout", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no Layout section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var layout = end < 0 ? readme[start..] : readme[start..end];
        var topLevel = Directory.EnumerateDirectories(EngineSource.Repository).Select(Path.GetFileName).OfType<string>()
            .Where(d => d is not ("out" or ".git" or "TestResults") && Directory.EnumerateFileSystemEntries(Path.Combine(EngineSource.Repository, d)).Any());
        var engine = LayerTests.Layers.Keys;
        var missing = topLevel.Where(d => !layout.Contains($"`{d}", StringComparison.Ordinal))
            .Concat(engine.Where(f => !layout.Contains($"`{f}`", StringComparison.Ordinal))).ToList();
        Assert.Empty(missing);
    }
}
