using ClinicaDL.Core.Search;
using Xunit;

namespace ClinicaDL.Core.Tests.Search;

public sealed class SearchSpaceTests : IDisposable
{
    private readonly SearchFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private SearchSpace Read(string searchKeys, string sections = "") => SearchSpace.Read(_folder.Write($"""
        [Random_Search]
        {SearchFolder.Mandatory}
        {searchKeys}
        {sections}
        """), _folder.Root);

    private SearchSpaceException Refused(string searchKeys, string sections = "") => Assert.Throws<SearchSpaceException>(() => Read(searchKeys, sections));

    [Fact]
    public void Reads_clinicadl_defaults_paths_from_the_base_folder_and_the_train_sections()
    {
        var space = Read("n_convblocks = [2, 4]\nfirst_conv_width = [4, 8]\nn_fcblocks = 2", """
            [Architecture]
            dropout = [0.0, 0.5]
            [Optimization]
            epochs = 1
            learning_rate = [2, 5]
            [Regression]
            label = "age"
            [Classification]
            selection_metrics = ["BA", "loss"]
            """);

        Assert.Equal("MaxPooling", space.Search["d_reduction"]!.GetValue<string>());
        Assert.Equal("BatchNorm", space.Search["network_normalization"]!.GetValue<string>());
        Assert.Equal(512, space.Search["channels_limit"]!.GetValue<long>());
        Assert.Equal(1, space.Search["n_conv"]!.GetValue<long>());
        Assert.True(space.Search["wd_bool"]!.GetValue<bool>());
        Assert.Equal(Path.Combine(_folder.Root, "caps"), space.Training["caps_directory"]!.GetValue<string>());
        Assert.Equal(Path.Combine(_folder.Root, "split"), space.Training["tsv_path"]!.GetValue<string>());
        Assert.Equal("image", space.Training["mode"]!.GetValue<string>());
        Assert.Equal("[0,0.5]", space.Training["dropout"]!.ToJsonString());
        Assert.Equal("[\"BA\",\"loss\"]", space.Training["selection_metrics"]!.ToJsonString());
        Assert.False(space.Training.ContainsKey("label"), "the regression section is not the classification search's");
        Assert.Equal(64, space.Sha256.Length);
    }

    [Fact]
    public void Refuses_a_file_without_the_random_search_section()
    {
        var path = _folder.Write("[Optimization]\nepochs = 1\n");
        var error = Assert.Throws<SearchSpaceException>(() => SearchSpace.Read(path, _folder.Root));
        Assert.Contains(path, error.Message);
        Assert.Contains("no [Random_Search] section", error.Message);
    }

    [Fact]
    public void Names_the_missing_mandatory_keys()
    {
        var path = _folder.Write("[Random_Search]\nnetwork_task = \"classification\"\nn_convblocks = 2\n");
        var error = Assert.Throws<SearchSpaceException>(() => SearchSpace.Read(path, _folder.Root));
        Assert.Contains("lacks tsv_path, caps_directory, preprocessing_json, first_conv_width, n_fcblocks", error.Message);
    }

    [Theory]
    [InlineData("n_convblocks = [3]\nfirst_conv_width = 8\nn_fcblocks = 1", "[Random_Search] n_convblocks: expected an integer or a range [a, b] of integers to draw from (randint, both ends included), each at least 1; got 1 value(s), [3]")]
    [InlineData("n_convblocks = [4, 2]\nfirst_conv_width = 8\nn_fcblocks = 1", "n_convblocks: expected an integer or a range [a, b] of integers to draw from (randint, both ends included), each at least 1; got [4, 2], whose lower end is above its upper end")]
    [InlineData("n_convblocks = [1.5, 2]\nfirst_conv_width = 8\nn_fcblocks = 1", "[Random_Search] n_convblocks: expected an integer or a range")]
    [InlineData("n_convblocks = 2\nfirst_conv_width = []\nn_fcblocks = 1", "[Random_Search] first_conv_width: expected an integer or a list of integers to choose from, each at least 1; got []")]
    [InlineData("n_convblocks = 2\nfirst_conv_width = 8\nn_fcblocks = 0", "[Random_Search] n_fcblocks: expected an integer or a range")]
    [InlineData("n_convblocks = 2\nfirst_conv_width = 8\nn_fcblocks = 1\nd_reduction = [\"MaxPooling\", \"AvgPooling\"]", "[Random_Search] d_reduction: expected MaxPooling, stride or a list of them to choose from; got [\"MaxPooling\",\"AvgPooling\"]")]
    [InlineData("n_convblocks = 2\nfirst_conv_width = 8\nn_fcblocks = 1\nnetwork_normalization = \"GroupNorm\"", "[Random_Search] network_normalization: expected BatchNorm, InstanceNorm, None")]
    [InlineData("n_convblocks = 2\nfirst_conv_width = 8\nn_fcblocks = 1\nwd_bool = [\"yes\"]", "[Random_Search] wd_bool: expected true, false or a list of them")]
    [InlineData("n_convblocks = 2\nfirst_conv_width = 8\nn_fcblocks = 1\nchannels_limit = [64, 128]", "[Random_Search] channels_limit: expected an integer, each at least 1; got the list [64,128] (ClinicaDL does not sample this key)")]
    [InlineData("n_convblocks = 2\nfirst_conv_width = 8\nn_fcblocks = 1\nlearning_rate = [2, 5]", "[Random_Search] learning_rate is a training key: give it in its section of the train configuration")]
    [InlineData("n_convblocks = 2\nfirst_conv_width = 8\nn_fcblocks = 1\nn_layers = 3", "[Random_Search] has an unknown key 'n_layers'")]
    public void Refuses_a_wrong_search_key_naming_it_and_what_was_expected(string searchKeys, string expected)
    {
        var error = Refused(searchKeys);
        Assert.Contains(expected, error.Message);
        Assert.StartsWith($"'{Path.Combine(_folder.Root, "random_search.toml")}'", error.Message);
    }

    [Theory]
    [InlineData("[Optimization]\nlearning_rate = [5]", "learning_rate: expected a number x (the value is 10^-x) or a range [a, b] to draw x from uniformly (exponent); got 1 value(s), [5]")]
    [InlineData("[Optimization]\nweight_decay = [\"a\", \"b\"]", "weight_decay: expected a number x (the value is 10^-x)")]
    [InlineData("[Architecture]\ndropout = [0.5, 0.1]", "dropout: expected a number or a range [a, b] to draw from uniformly; got [0.5, 0.1], whose lower end is above its upper end")]
    [InlineData("[Optimization]\naccumulation_steps = [1, 2, 4]", "accumulation_steps: expected an integer or a range [a, b] of integers to draw from (randint, both ends included), each at least 1; got 3 value(s)")]
    [InlineData("[Optimization]\noptimizer = []", "optimizer: an empty list leaves nothing to choose")]
    [InlineData("[Model]\narchitecture = \"Conv5_FC3\"", "architecture: a random search trains RandomArchitecture networks")]
    [InlineData("[Data]\ncaps_directory = \"other\"", "caps_directory belongs in [Random_Search]")]
    [InlineData("[Architecture]\nn_fcblocks = 2", "n_fcblocks belongs in [Random_Search]")]
    [InlineData("[Architecture]\nn_conv = 2", "n_conv belongs in [Random_Search]")]
    [InlineData("[Architecture.convolutions_dict.conv0]\nout_channels = 8", "convolutions_dict: a random search draws the blocks")]
    public void Refuses_a_wrong_train_key_naming_it_and_what_was_expected(string sections, string expected)
    {
        var error = Refused("n_convblocks = 2\nfirst_conv_width = 8\nn_fcblocks = 1", sections);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Refuses_reconstruction_and_a_missing_extraction()
    {
        var path = _folder.Write("[Random_Search]\nnetwork_task = \"reconstruction\"\ncaps_directory = \"caps\"\ntsv_path = \"split\"\npreprocessing_json = \"extract_image.json\"\nn_convblocks = 2\nfirst_conv_width = 8\nn_fcblocks = 1\n");
        Assert.Contains("network_task: expected classification or regression", Assert.Throws<SearchSpaceException>(() => SearchSpace.Read(path, _folder.Root)).Message);
        path = _folder.Write("[Random_Search]\nnetwork_task = \"classification\"\ncaps_directory = \"caps\"\ntsv_path = \"split\"\npreprocessing_json = \"extract_patch.json\"\nn_convblocks = 2\nfirst_conv_width = 8\nn_fcblocks = 1\n");
        var error = Assert.Throws<SearchSpaceException>(() => SearchSpace.Read(path, _folder.Root));
        Assert.Contains("preprocessing_json = 'extract_patch.json'", error.Message);
        Assert.Contains("this CAPS has extract_image.json", error.Message);
    }

    [Fact]
    public void Refuses_invalid_toml_naming_the_file()
    {
        var path = _folder.Write("[Random_Search\nn = ");
        var error = Assert.Throws<SearchSpaceException>(() => SearchSpace.Read(path, _folder.Root));
        Assert.Contains("not valid TOML", error.Message);
        Assert.Contains(path, error.Message);
    }
}
