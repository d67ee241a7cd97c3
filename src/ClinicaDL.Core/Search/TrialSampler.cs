using System.Text.Json.Nodes;

namespace ClinicaDL.Core.Search;

/// <summary>
/// ClinicaDL 1.6.1's random_sampling, random_conv_sampling, sampling_fn and update_channels
/// (clinicadl/random_search/random_search_utils.py), with draws from <see cref="TrialRandom"/>: keys in ClinicaDL's
/// order, each by its rule; a single value is kept as given (for exponent, 10^-value); wd_bool = false sets
/// weight_decay to 0; then the number of blocks, the first width and the reduction, and n_conv once per block, the
/// channels doubling per block while below channels_limit. One difference: a learning_rate or weight_decay the file
/// does not give keeps the train default (1e-4); ClinicaDL would take that default as an exponent (10^-0.0001).
/// </summary>
public static class TrialSampler
{
    /// <summary>The key of the drawn convolutional blocks (RandomArchitecture's argument).</summary>
    public const string ConvolutionsKey = "convolutions_dict";

    /// <summary>ClinicaDL's sampling_dict, in its order (which is the order of the draws); keys absent are fixed.</summary>
    private static readonly (string Key, SamplingKind Kind)[] Rules =
    [
        ("accumulation_steps", SamplingKind.RandInt), ("baseline", SamplingKind.Choice), ("dropout", SamplingKind.Uniform),
        ("learning_rate", SamplingKind.Exponent), ("normalize", SamplingKind.Choice), ("multi_network", SamplingKind.Choice),
        ("n_fcblocks", SamplingKind.RandInt), ("network_normalization", SamplingKind.Choice), ("optimizer", SamplingKind.Choice),
        ("sampler", SamplingKind.Choice), ("transfer_path", SamplingKind.Choice), ("transfer_selection_metric", SamplingKind.Choice),
        ("wd_bool", SamplingKind.Choice), ("weight_decay", SamplingKind.Exponent),
    ];

    /// <summary>How ClinicaDL draws <paramref name="key"/>.</summary>
    public static SamplingKind KindOf(string key) => Rules.FirstOrDefault(r => r.Key == key) is { Key: not null } rule ? rule.Kind : SamplingKind.Fixed;

    /// <summary>Trial <paramref name="index"/> of the search of <paramref name="space"/> seeded with <paramref name="seed"/>.</summary>
    public static SampledTrial Sample(SearchSpace space, long seed, int index)
    {
        var random = TrialRandom.ForTrial(seed, index);
        var sampled = new JsonObject();
        foreach (var (key, kind) in Rules)
        {
            var given = space.Search.ContainsKey(key) ? space.Search[key] : space.Training.ContainsKey(key) ? space.Training[key] : null;
            if (given is not null)
            {
                sampled[key] = Draw(given, kind, random);
            }
        }
        if (sampled["wd_bool"] is JsonValue wd && !wd.GetValue<bool>())
        {
            sampled["weight_decay"] = 0.0;
        }
        sampled[ConvolutionsKey] = Convolutions(space.Search, random);

        var configuration = space.Training.DeepClone().AsObject();
        foreach (var (key, value) in sampled)
        {
            if (key != "wd_bool")
            {
                configuration[key] = value?.DeepClone();
            }
        }
        configuration["architecture"] = "RandomArchitecture";
        // As JSON text and back: the values then compare, print and read back as the state file keeps them.
        return new SampledTrial { Index = index, Sampled = Reparsed(sampled), Configuration = Reparsed(configuration) };
    }

    private static JsonObject Reparsed(JsonObject value) => JsonNode.Parse(value.ToJsonString())!.AsObject();

    /// <summary>ClinicaDL's sampling_fn.</summary>
    public static JsonNode? Draw(JsonNode given, SamplingKind kind, TrialRandom random)
    {
        if (given is not JsonArray range)
        {
            return kind == SamplingKind.Exponent ? Math.Pow(10, -given.GetValue<double>()) : given.DeepClone();
        }
        return kind switch
        {
            SamplingKind.Fixed => range.DeepClone(),
            SamplingKind.Choice => range[random.Index(range.Count)]?.DeepClone(),
            SamplingKind.Uniform => random.Uniform(range[0]!.GetValue<double>(), range[1]!.GetValue<double>()),
            SamplingKind.Exponent => Math.Pow(10, -random.Uniform(range[0]!.GetValue<double>(), range[1]!.GetValue<double>())),
            SamplingKind.RandInt => random.Integer(range[0]!.GetValue<long>(), range[1]!.GetValue<long>()),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    /// <summary>ClinicaDL's random_conv_sampling: conv0, conv1... with in_channels null for the first block (the image's channels).</summary>
    private static JsonObject Convolutions(JsonObject search, TrialRandom random)
    {
        var blocks = (int)Draw(search["n_convblocks"]!, SamplingKind.RandInt, random)!.GetValue<long>();
        var firstWidth = Draw(search["first_conv_width"]!, SamplingKind.Choice, random)!.GetValue<long>();
        var reduction = Draw(search["d_reduction"]!, SamplingKind.Choice, random)!.GetValue<string>();
        var limit = search["channels_limit"]!.GetValue<long>();
        var convolutions = new JsonObject();
        long? inChannels = null;
        var outChannels = firstWidth;
        for (var i = 0; i < blocks; i++)
        {
            var block = new JsonObject { ["in_channels"] = inChannels, ["out_channels"] = outChannels };
            (inChannels, outChannels) = UpdateChannels(outChannels, limit);
            block["n_conv"] = Draw(search["n_conv"]!, SamplingKind.Choice, random)!.GetValue<long>();
            block["d_reduction"] = reduction;
            convolutions[$"conv{i}"] = block;
        }
        return convolutions;
    }

    /// <summary>ClinicaDL's update_channels: the next block takes this one's output and doubles it while below the limit.</summary>
    public static (long In, long Out) UpdateChannels(long outChannels, long channelsLimit) =>
        (outChannels, outChannels < channelsLimit ? 2 * outChannels : outChannels);
}
