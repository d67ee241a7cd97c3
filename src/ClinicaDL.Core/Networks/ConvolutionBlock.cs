using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// One block of RandomArchitecture's convolutions_dict, in ClinicaDL's form
/// (<c>"conv0": {"in_channels": null, "out_channels": 8, "n_conv": 1, "d_reduction": "MaxPooling"}</c>): n_conv - 1
/// convolutions that keep the channels, then one from in_channels to out_channels that halves every size, by a
/// PadMaxPool after it ("MaxPooling") or by its own stride 2 ("stride").
/// </summary>
/// <param name="Name">conv0, conv1... (the block's module name, so its weights are convolutions.&lt;name&gt;.*).</param>
/// <param name="InChannels">in_channels; null: the input's channels (ClinicaDL's first block).</param>
/// <param name="OutChannels">out_channels.</param>
/// <param name="ConvolutionCount">n_conv: the block's convolutions.</param>
/// <param name="DimensionReduction">d_reduction: <see cref="MaxPooling"/> or <see cref="Stride"/>.</param>
public sealed record ConvolutionBlock(string Name, long? InChannels, long OutChannels, int ConvolutionCount, string DimensionReduction)
{
    public const string MaxPooling = "MaxPooling";
    public const string Stride = "stride";

    /// <summary>The configuration key the blocks come from.</summary>
    public const string Key = "convolutions_dict";

    private static readonly string[] Fields = ["in_channels", "out_channels", "n_conv", "d_reduction"];

    /// <summary>What a convolutions_dict looks like, for the messages that refuse one.</summary>
    public const string Example = """{"conv0": {"in_channels": null, "out_channels": 8, "n_conv": 1, "d_reduction": "MaxPooling"}, "conv1": {"in_channels": 8, "out_channels": 16, "n_conv": 1, "d_reduction": "MaxPooling"}}""";

    /// <summary>
    /// The blocks of a convolutions_dict, refused with a message naming the block and the field when it is not
    /// ClinicaDL's form: a table of blocks named conv0, conv1... in order (ClinicaDL's fc_dict_design reads the last
    /// one by that name), each with exactly the four fields, whole numbers of channels (in_channels null or a
    /// number), n_conv at least 1, d_reduction MaxPooling or stride, and channels that chain (a block's
    /// in_channels is the previous one's out_channels).
    /// </summary>
    public static IReadOnlyList<ConvolutionBlock> Parse(JsonNode? dictionary)
    {
        // Re-parsed, so values built in code (a long is not read as a double), read from TOML or from JSON convert alike.
        if ((dictionary is null ? null : JsonNode.Parse(dictionary.ToJsonString())) is not JsonObject blocks || blocks.Count == 0)
        {
            throw new ArgumentException($"{Key}: expected a table of convolution blocks such as {Example}; got {Describe(dictionary)}.", Key);
        }
        var parsed = new List<ConvolutionBlock>();
        var index = 0;
        foreach (var (name, node) in blocks)
        {
            var expectedName = $"conv{index.ToString(CultureInfo.InvariantCulture)}";
            if (name != expectedName)
            {
                throw new ArgumentException($"{Key}: block {index + 1} is named '{name}'; ClinicaDL names the blocks conv0, conv1, ... in order (expected '{expectedName}').", Key);
            }
            parsed.Add(ParseBlock(name, node, parsed.Count == 0 ? null : parsed[^1]));
            index++;
        }
        return parsed;
    }

    private static ConvolutionBlock ParseBlock(string name, JsonNode? node, ConvolutionBlock? previous)
    {
        var where = $"{Key}.{name}";
        if (node is not JsonObject fields)
        {
            throw new ArgumentException($"{where}: expected a table with in_channels, out_channels, n_conv and d_reduction; got {Describe(node)}.", Key);
        }
        var missing = Fields.Where(f => !fields.ContainsKey(f)).ToList();
        var unknown = fields.Select(f => f.Key).Where(f => !Fields.Contains(f, StringComparer.Ordinal)).ToList();
        if (missing.Count > 0 || unknown.Count > 0)
        {
            var problems = new List<string>();
            if (missing.Count > 0)
            {
                problems.Add($"missing {string.Join(", ", missing)}");
            }
            if (unknown.Count > 0)
            {
                problems.Add($"unknown {string.Join(", ", unknown)}");
            }
            throw new ArgumentException($"{where}: {string.Join("; ", problems)} (a block has exactly in_channels, out_channels, n_conv and d_reduction).", Key);
        }
        long? inChannels = fields["in_channels"] is null ? null : WholeNumber(fields["in_channels"], where, "in_channels", "null (the input's channels) or a number of channels, at least 1", 1, int.MaxValue);
        var outChannels = WholeNumber(fields["out_channels"], where, "out_channels", "a number of channels, at least 1", 1, int.MaxValue);
        var count = WholeNumber(fields["n_conv"], where, "n_conv", "a number of convolutions, at least 1", 1, int.MaxValue);
        var reduction = fields["d_reduction"] is JsonValue text && text.GetValueKind() == JsonValueKind.String ? text.GetValue<string>() : null;
        if (reduction is not (MaxPooling or Stride))
        {
            throw new ArgumentException($"{where}: d_reduction must be \"{MaxPooling}\" or \"{Stride}\" (as ClinicaDL spells them); got {Describe(fields["d_reduction"])}.", Key);
        }
        if (previous is not null && inChannels is { } given && given != previous.OutChannels)
        {
            throw new ArgumentException($"{where}: in_channels is {given}, but {previous.Name} gives {previous.OutChannels} channels: a block's in_channels must be the previous block's out_channels.", Key);
        }
        return new ConvolutionBlock(name, inChannels, outChannels, (int)count, reduction);
    }

    private static long WholeNumber(JsonNode? node, string where, string field, string expected, long minimum, long maximum)
    {
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<double>(out var number)
            && number == Math.Floor(number) && number >= minimum && number <= maximum)
        {
            return (long)number;
        }
        throw new ArgumentException($"{where}: {field} must be {expected}; got {Describe(node)}.", Key);
    }

    private static string Describe(JsonNode? node) => node?.ToJsonString() ?? "null";
}
