namespace ClinicaDL.Core.Tests.Search;

/// <summary>A temporary folder with a CAPS holding an image extraction JSON, and a random_search.toml written into it.</summary>
internal sealed class SearchFolder : IDisposable
{
    public SearchFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "clinicadl-search-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(Root, "caps", "tensor_extraction"));
        Directory.CreateDirectory(Path.Combine(Root, "split"));
        File.WriteAllText(Path.Combine(Root, "caps", "tensor_extraction", "extract_image.json"), """{"preprocessing": "t1-linear", "mode": "image", "use_uncropped_image": false}""");
    }

    public string Root { get; }

    /// <summary>The mandatory keys of [Random_Search], with paths relative to the folder.</summary>
    public const string Mandatory = """
        network_task = "classification"
        caps_directory = "caps"
        tsv_path = "split"
        preprocessing_json = "extract_image.json"
        """;

    public string Write(string text, string name = "random_search.toml")
    {
        var path = Path.Combine(Root, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
