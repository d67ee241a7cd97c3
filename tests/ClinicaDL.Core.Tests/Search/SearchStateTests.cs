using ClinicaDL.Core.Search;
using Xunit;

namespace ClinicaDL.Core.Tests.Search;

public sealed class SearchStateTests : IDisposable
{
    private readonly SearchFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private SearchSpace Space(string extra = "") => SearchSpace.Read(_folder.Write($"""
        [Random_Search]
        {SearchFolder.Mandatory}
        n_convblocks = [1, 4]
        first_conv_width = [4, 8]
        n_fcblocks = [1, 2]
        {extra}
        [Optimization]
        learning_rate = [3, 5]
        """), _folder.Root);

    [Fact]
    public void Round_trips_and_grows_keeping_the_trials_drawn()
    {
        var space = Space();
        var output = Path.Combine(_folder.Root, "search");
        Directory.CreateDirectory(output);
        var state = SearchState.Start(space, 9).WithTrials(space, 2);
        state.Write(output);
        Assert.False(File.Exists(SearchState.PathIn(output) + ".tmp"));

        var read = SearchState.Read(output);
        Assert.Equal(9, read.Seed);
        Assert.Equal(space.Text, read.Toml);
        Assert.Equal(space.Sha256, read.TomlSha256);
        Assert.Equal(_folder.Root, read.BaseDirectory);
        Assert.Equal(["trial-0", "trial-1"], read.Trials.Select(t => t.Name));
        Assert.Equal(state.Trials[1].Configuration.ToJsonString(), read.Trials[1].Configuration.ToJsonString());

        // Grown to 4: the two kept as recorded, the new ones as a fresh 4-trial search draws them.
        var grown = read.WithTrials(space, 4);
        var fresh = SearchState.Start(space, 9).WithTrials(space, 4);
        Assert.Equal(fresh.Trials.Select(t => t.Sampled.ToJsonString()), grown.Trials.Select(t => t.Sampled.ToJsonString()));
        read.CheckContinuation(output, space, null, 4);
        read.CheckContinuation(output, space, 9, 2);
    }

    [Fact]
    public void Refuses_another_file_another_seed_fewer_trials_and_a_damaged_state()
    {
        var space = Space();
        var output = Path.Combine(_folder.Root, "search");
        Directory.CreateDirectory(output);
        var state = SearchState.Start(space, 9).WithTrials(space, 3);
        state.Write(output);

        var changed = Space("channels_limit = 64");
        var error = Assert.Throws<SearchStateException>(() => state.CheckContinuation(output, changed, null, 3));
        Assert.Contains("was started with another random_search.toml", error.Message);
        Assert.Contains(state.TomlSha256[..12], error.Message);
        Assert.Contains("-Seed 10 would draw other trials", Assert.Throws<SearchStateException>(() => state.CheckContinuation(output, space, 10, 3)).Message);
        Assert.Contains("has 3 trials; -Trials 2 cannot shrink it", Assert.Throws<SearchStateException>(() => state.CheckContinuation(output, space, null, 2)).Message);

        File.WriteAllText(SearchState.PathIn(output), "{\"format\": \"something else\"}");
        Assert.Contains("cannot be read", Assert.Throws<SearchStateException>(() => SearchState.Read(output)).Message);
        Assert.Contains("holds no random search", Assert.Throws<SearchStateException>(() => SearchState.Read(_folder.Root)).Message);
    }
}
