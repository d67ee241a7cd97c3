using System.Globalization;
using System.Text.Json.Nodes;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Search;

/// <summary>
/// One trial's draw: the values ClinicaDL's random_sampling returns for the keys the search samples (the
/// convolutional blocks, n_fcblocks, network_normalization, dropout, learning_rate, weight_decay, wd_bool, and any
/// other sampled key the file gives), and the whole train configuration the trial trains with.
/// </summary>
public sealed class SampledTrial
{
    public required int Index { get; init; }

    /// <summary>The trial's folder name in the search folder (its MAPS).</summary>
    public string Name => NameOf(Index);

    /// <summary>The drawn values by ClinicaDL key, convolutions_dict included.</summary>
    public required JsonObject Sampled { get; init; }

    /// <summary>The train configuration keys (fixed and drawn), with architecture = RandomArchitecture.</summary>
    public required JsonObject Configuration { get; init; }

    /// <summary>The folder name of trial <paramref name="index"/>: trial-0, trial-1... (as split-0, split-1...).</summary>
    public static string NameOf(int index) => $"trial-{index}";

    /// <summary>The drawn values as a person reads them: the blocks as channels and layers, numbers to 6 digits.</summary>
    public ReadableDictionary<string> Readable() => new(Sampled.Select(entry => KeyValuePair.Create(entry.Key, entry.Key == TrialSampler.ConvolutionsKey
        ? Blocks(entry.Value as JsonObject) : Text(entry.Value))));

    private static string Blocks(JsonObject? blocks)
    {
        if (blocks is null || blocks.Count == 0)
        {
            return "";
        }
        var channels = string.Join("-", blocks.Select(b => Text(b.Value?["out_channels"])));
        var layers = string.Join("-", blocks.Select(b => Text(b.Value?["n_conv"])));
        return $"{blocks.Count} blocks: channels {channels}, n_conv {layers}, {Text(blocks.First().Value?["d_reduction"])}";
    }

    private static string Text(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.TryGetValue<double>(out var number) && v.GetValueKind() == System.Text.Json.JsonValueKind.Number =>
            double.IsInteger(number) ? number.ToString("R", CultureInfo.InvariantCulture) : number.ToString("G6", CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<string>(out var text) => text,
        _ => value.ToJsonString(),
    };
}
