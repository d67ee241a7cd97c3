using System.Text.Json.Nodes;
using ClinicaDL.Core.Search;
using Xunit;

namespace ClinicaDL.Core.Tests.Search;

public sealed class TrialSamplerTests : IDisposable
{
    private readonly SearchFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private SearchSpace Space(string searchKeys, string sections = "") => SearchSpace.Read(_folder.Write($"""
        [Random_Search]
        {SearchFolder.Mandatory}
        {searchKeys}
        {sections}
        """), _folder.Root);

    /// <summary>ClinicaDL's documented example (docs/RandomSearch.md).</summary>
    private SearchSpace Example() => Space("""
        n_convblocks = [2, 6]
        first_conv_width = [4, 8, 16, 32]
        n_fcblocks = [1, 3]
        channels_limit = 64
        d_reduction = ["MaxPooling", "stride"]
        network_normalization = ["None", "BatchNorm"]
        wd_bool = [true, false]
        n_conv = [1, 2, 3]
        """, """
        [Architecture]
        dropout = [0, 0.9]
        [Data]
        diagnoses = ["AD", "CN"]
        [Optimization]
        epochs = 100
        learning_rate = [2, 5]
        weight_decay = [2, 4]
        """);

    [Fact]
    public void Draws_every_key_by_clinicadl_rules()
    {
        var space = Example();
        var seen = new HashSet<string>();
        for (var i = 0; i < 300; i++)
        {
            var trial = TrialSampler.Sample(space, 11, i);
            var s = trial.Sampled;
            var blocks = s[TrialSampler.ConvolutionsKey]!.AsObject();
            Assert.InRange(blocks.Count, 2, 6);
            Assert.InRange(s["n_fcblocks"]!.GetValue<long>(), 1, 3);
            Assert.InRange(s["dropout"]!.GetValue<double>(), 0, 0.9);
            Assert.InRange(s["learning_rate"]!.GetValue<double>(), 1e-5, 1e-2);
            var wd = s["wd_bool"]!.GetValue<bool>();
            var decay = s["weight_decay"]!.GetValue<double>();
            if (wd)
            {
                Assert.InRange(decay, 1e-4, 1e-2);
            }
            else
            {
                Assert.Equal(0, decay);
            }
            var first = blocks["conv0"]!;
            Assert.Null(first["in_channels"]);
            Assert.Contains(first["out_channels"]!.GetValue<long>(), new long[] { 4, 8, 16, 32 });
            var reduction = first["d_reduction"]!.GetValue<string>();
            long? previousOut = null;
            foreach (var (name, block) in blocks)
            {
                Assert.Equal(reduction, block!["d_reduction"]!.GetValue<string>());
                Assert.InRange(block["n_conv"]!.GetValue<long>(), 1, 3);
                var output = block["out_channels"]!.GetValue<long>();
                if (previousOut is { } p)
                {
                    Assert.Equal(p, block["in_channels"]!.GetValue<long>());
                    Assert.Equal(p < 64 ? 2 * p : p, output);
                }
                previousOut = output;
                seen.Add($"n_conv {block["n_conv"]}");
            }
            seen.Add(reduction);
            seen.Add(s["network_normalization"]!.GetValue<string>());
            seen.Add($"wd {wd}");
            seen.Add($"blocks {blocks.Count}");
            seen.Add($"fc {s["n_fcblocks"]}");

            var c = trial.Configuration;
            Assert.Equal("RandomArchitecture", c["architecture"]!.GetValue<string>());
            Assert.Equal(100, c["epochs"]!.GetValue<long>());
            Assert.Equal("[\"AD\",\"CN\"]", c["diagnoses"]!.ToJsonString());
            Assert.Equal(s["learning_rate"]!.GetValue<double>(), c["learning_rate"]!.GetValue<double>());
            Assert.Equal(decay, c["weight_decay"]!.GetValue<double>());
            Assert.True(JsonNode.DeepEquals(blocks, c[TrialSampler.ConvolutionsKey]));
            Assert.False(c.ContainsKey("wd_bool"), "wd_bool is not a training key: weight_decay carries it");
        }
        // Both ends of every randint and every choice turn up (n_conv chosen per block).
        foreach (var expected in new[] { "MaxPooling", "stride", "None", "BatchNorm", "wd True", "wd False", "blocks 2", "blocks 6", "fc 1", "fc 3", "n_conv 1", "n_conv 3" })
        {
            Assert.Contains(expected, seen);
        }
    }

    [Fact]
    public void Exponents_fill_their_bounds()
    {
        var space = Example();
        var exponents = Enumerable.Range(0, 2000).Select(i => -Math.Log10(TrialSampler.Sample(space, 3, i).Sampled["learning_rate"]!.GetValue<double>())).ToList();
        Assert.All(exponents, x => Assert.InRange(x, 2, 5));
        Assert.InRange(exponents.Min(), 2, 2.05);
        Assert.InRange(exponents.Max(), 4.95, 5);
        Assert.InRange(exponents.Average(), 3.4, 3.6);
    }

    [Fact]
    public void A_trial_depends_on_the_seed_and_its_index_only()
    {
        var space = Example();
        var again = Example();
        Assert.Equal(TrialSampler.Sample(space, 5, 7).Configuration.ToJsonString(), TrialSampler.Sample(again, 5, 7).Configuration.ToJsonString());
        Assert.NotEqual(TrialSampler.Sample(space, 5, 7).Sampled.ToJsonString(), TrialSampler.Sample(space, 5, 8).Sampled.ToJsonString());
        Assert.NotEqual(TrialSampler.Sample(space, 5, 7).Sampled.ToJsonString(), TrialSampler.Sample(space, 6, 7).Sampled.ToJsonString());
    }

    [Fact]
    public void Single_values_are_kept_and_an_absent_rate_keeps_its_default()
    {
        var space = Space("n_convblocks = 3\nfirst_conv_width = 8\nn_fcblocks = 2\nchannels_limit = 16\nwd_bool = false", "[Optimization]\nlearning_rate = 3\n[Architecture]\ndropout = 0.25");
        var trial = TrialSampler.Sample(space, 0, 0);
        var blocks = trial.Sampled[TrialSampler.ConvolutionsKey]!.AsObject();
        Assert.Equal("""{"conv0":{"in_channels":null,"out_channels":8,"n_conv":1,"d_reduction":"MaxPooling"},"conv1":{"in_channels":8,"out_channels":16,"n_conv":1,"d_reduction":"MaxPooling"},"conv2":{"in_channels":16,"out_channels":16,"n_conv":1,"d_reduction":"MaxPooling"}}""",
            blocks.ToJsonString());
        Assert.Equal(1e-3, trial.Sampled["learning_rate"]!.GetValue<double>(), 15);
        Assert.Equal(0.25, trial.Sampled["dropout"]!.GetValue<double>());
        Assert.Equal(0, trial.Configuration["weight_decay"]!.GetValue<double>());
        Assert.Equal(2, trial.Configuration["n_fcblocks"]!.GetValue<long>());
        Assert.Equal("BatchNorm", trial.Configuration["network_normalization"]!.GetValue<string>());
        Assert.Equal("3 blocks: channels 8-16-16, n_conv 1-1-1, MaxPooling", trial.Readable()[TrialSampler.ConvolutionsKey]);

        var defaults = TrialSampler.Sample(Space("n_convblocks = 1\nfirst_conv_width = 8\nn_fcblocks = 1"), 0, 0);
        Assert.False(defaults.Configuration.ContainsKey("learning_rate"), "the train default (1e-4) applies, not 10^-1e-4 as ClinicaDL would");
        Assert.Equal((0L, 0L), (TrialSampler.UpdateChannels(0, 0).In, TrialSampler.UpdateChannels(0, 0).Out));
        Assert.Equal((512L, 512L), TrialSampler.UpdateChannels(512, 512));
        Assert.Equal((256L, 512L), TrialSampler.UpdateChannels(256, 512));
    }
}
