using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// A network described in a file (.psd1 or .json, the same keys): an ordered list of layers, named blocks of
/// layers repeated with parameters, and add / concatenate connections by name. It serves classification and
/// regression (the last layer gives the task's outputs: <c>Out = 'output'</c>) unless it says
/// <c>Autoencoder = $true</c> (reconstruction: the output has the input's shape). The format is in
/// docs/help/about_ClinicaDL.md and examples/networks/.
/// </summary>
public sealed class NetworkFile
{
    /// <summary>The extensions a declarative network file has.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".psd1", ".json"];

    /// <summary>The name of the copy a MAPS keeps beside maps.json (its "architecture"), with the file's extension.</summary>
    public const string MapsCopyName = "architecture";

    private static readonly string[] TopKeys = ["Name", "Autoencoder", "Blocks", "Layers"];
    private static readonly string[] BlockKeys = ["Parameters", "Layers"];
    private static readonly string[] BlockUseKeys = ["Block", "Name", "Input", "Repeat"];

    private NetworkFile(string path, string name, bool autoencoder, IReadOnlyList<LayerNode> nodes)
    {
        Path = path;
        Name = name;
        Autoencoder = autoencoder;
        Nodes = nodes;
    }

    /// <summary>Whether an architecture setting names a network file (by its extension) rather than a built-in network.</summary>
    public static bool IsNetworkFile(string architecture) =>
        Extensions.Contains(System.IO.Path.GetExtension(architecture), StringComparer.OrdinalIgnoreCase);

    public string Path { get; }

    /// <summary>The file's Name, else its file name without extension.</summary>
    public string Name { get; }

    /// <summary>A reconstruction network: its output has the input's shape.</summary>
    public bool Autoencoder { get; }

    /// <summary>The task names the network serves.</summary>
    public IReadOnlyList<string> Tasks => Autoencoder ? ["reconstruction"] : ["classification", "regression"];

    /// <summary>Every layer, blocks expanded, in the order they run and are created.</summary>
    internal IReadOnlyList<LayerNode> Nodes { get; }

    /// <summary>Reads and checks a network file (keywords, layer kinds, names); shapes are checked by <see cref="Build"/>.</summary>
    public static NetworkFile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Network file '{path}' does not exist.", path);
        }
        JsonNode? root;
        var text = File.ReadAllText(path);
        if (System.IO.Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            }
            catch (JsonException error)
            {
                throw new NetworkFileException(path, $"not valid JSON: {error.Message}", error);
            }
        }
        else if (System.IO.Path.GetExtension(path).Equals(".psd1", StringComparison.OrdinalIgnoreCase))
        {
            root = PowerShellDataFile.Parse(text, path);
        }
        else
        {
            throw new NetworkFileException(path, $"a network file is {string.Join(" or ", Extensions)}.");
        }
        return new Expansion(path).Run(root);
    }

    /// <summary>Builds the network for samples of the given shape (channels first, no batch).</summary>
    public FileNetwork Build(long[] inputShape, int outputSize, double dropout)
    {
        using (NewDisposeScope())
        {
            return new FileNetwork(this, inputShape, outputSize, dropout);
        }
    }

    /// <summary>Each layer's output shape, the parameter count and a training step's memory for this input shape.</summary>
    public NetworkSummary Summarize(long[] inputShape, int outputSize, double dropout, int batchSize, string optimizer)
    {
        using var network = Build(inputShape, outputSize, dropout);
        return NetworkSummary.Of(this, network, inputShape, batchSize, optimizer);
    }

    /// <summary>Reads the file's tree into nodes: blocks expanded per copy, parameters substituted, names resolved.</summary>
    private sealed class Expansion(string path)
    {
        private readonly List<LayerNode> _nodes = [];
        private Dictionary<string, (Dictionary<string, JsonNode?> Parameters, JsonArray Layers)> _blocks = new(StringComparer.OrdinalIgnoreCase);

        private NetworkFileException Error(string problem) => new(path, problem);

        public NetworkFile Run(JsonNode? root)
        {
            var top = Table(root, "the file", TopKeys, "a network file is one hashtable (@{ ... } or a JSON object)");
            var name = top.TryGetValue("Name", out var named) ? Text(named, "Name") : System.IO.Path.GetFileNameWithoutExtension(path);
            var autoencoder = top.TryGetValue("Autoencoder", out var flag) && Flag(flag, "Autoencoder");
            if (top.TryGetValue("Blocks", out var blocks))
            {
                ReadBlocks(blocks);
            }
            if (!top.TryGetValue("Layers", out var layers) || layers is not JsonArray { Count: > 0 } list)
            {
                throw Error("it needs Layers, a non-empty list of layers (@( @{ Layer = 'Conv'; ... } ... ) or a JSON array).");
            }
            var entryNames = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            var entry = 0;
            for (var index = 0; index < list.Count; index++)
            {
                var item = Table(list[index], $"Layers[{index}]", null, "each layer is a hashtable with a Layer (or a Block) key");
                var where = $"Layers[{index}]";
                var input = ResolveInput(item, entryNames, _nodes.Count - 1, where);
                int last;
                if (item.ContainsKey("Block"))
                {
                    last = ExpandBlock(item, index, ref entry, input, where);
                }
                else
                {
                    last = AddLayer(item, entry, where, input, entryNames);
                    entry++;
                }
                if (item.TryGetValue("Name", out var entryName))
                {
                    Declare(entryNames, Text(entryName, $"{where}.Name"), last, where);
                }
            }
            return new NetworkFile(path, name, autoencoder, _nodes);
        }

        private void ReadBlocks(JsonNode? blocks)
        {
            if (blocks is not JsonObject definitions)
            {
                throw Error("Blocks is a hashtable of named blocks: Blocks = @{ ConvBlock = @{ Parameters = @{ ... }; Layers = @( ... ) } }.");
            }
            _blocks = new(StringComparer.OrdinalIgnoreCase);
            foreach (var (blockName, definition) in definitions)
            {
                var block = Table(definition, $"Blocks.{blockName}", BlockKeys, "a block is a hashtable with Layers and optional Parameters");
                var parameters = block.TryGetValue("Parameters", out var declared)
                    ? Table(declared, $"Blocks.{blockName}.Parameters", null, "a block's Parameters is a hashtable of names and default values")
                    : new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase);
                if (!block.TryGetValue("Layers", out var layers) || layers is not JsonArray { Count: > 0 } list)
                {
                    throw Error($"Blocks.{blockName} needs Layers, a non-empty list of layers.");
                }
                for (var index = 0; index < list.Count; index++)
                {
                    var layer = Table(list[index], $"Blocks.{blockName}.Layers[{index}]", null, "each layer is a hashtable with a Layer key");
                    if (layer.ContainsKey("Block"))
                    {
                        throw Error($"Blocks.{blockName}.Layers[{index}]: a block holds layers, not blocks; list the inner block's layers in it.");
                    }
                    // The kind and keywords are checked once here, so that a mistake is found even in a block never used.
                    NetworkFileLayers.Check(layer, $"Blocks.{blockName}.Layers[{index}]", path);
                    foreach (var value in layer.Values)
                    {
                        if (ParameterName(value) is { } reference && !parameters.ContainsKey(reference))
                        {
                            throw Error($"Blocks.{blockName}.Layers[{index}] uses '${reference}', which is not among the block's Parameters ({Listed(parameters.Keys)}).");
                        }
                    }
                }
                _blocks[blockName] = (parameters, list);
            }
        }

        private int ExpandBlock(Dictionary<string, JsonNode?> use, int index, ref int entry, int input, string where)
        {
            var blockName = Text(use["Block"], $"{where}.Block");
            if (!_blocks.TryGetValue(blockName, out var block))
            {
                throw Error($"{where}: unknown block '{blockName}'; the file defines {(_blocks.Count == 0 ? "no blocks (add Blocks = @{ ... })" : Listed(_blocks.Keys))}.");
            }
            var given = use.Where(kv => !BlockUseKeys.Contains(kv.Key, StringComparer.OrdinalIgnoreCase)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
            foreach (var key in given.Keys.Where(k => !block.Parameters.ContainsKey(k)))
            {
                throw Error($"{where} (block '{blockName}'): unknown keyword '{key}'; the block takes {Listed(block.Parameters.Keys.Concat(BlockUseKeys.Where(k => k != "Block")))}.");
            }
            var copies = Copies(use, block.Parameters.Keys, where, blockName);
            var last = input;
            for (var copy = 0; copy < copies.Count; copy++)
            {
                var values = new Dictionary<string, JsonNode?>(block.Parameters, StringComparer.OrdinalIgnoreCase);
                foreach (var (key, value) in given.Concat(copies[copy]))
                {
                    values[key] = value;
                }
                var copyWhere = copies.Count == 1 ? $"{where} (block '{blockName}')" : $"{where} (block '{blockName}', copy {copy + 1} of {copies.Count})";
                var blockInput = last;
                var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
                for (var position = 0; position < block.Layers.Count; position++)
                {
                    var layer = Substitute(Table(block.Layers[position], "", null, ""), values);
                    var layerWhere = $"{copyWhere}, its Layers[{position}]";
                    var layerInput = ResolveInput(layer, names, position == 0 ? blockInput : _nodes.Count - 1, layerWhere, blockInput);
                    last = AddLayer(layer, entry, layerWhere, layerInput, names, blockInput);
                    if (layer.TryGetValue("Name", out var layerName))
                    {
                        Declare(names, Text(layerName, $"{layerWhere}.Name"), last, layerWhere);
                    }
                }
                entry++;
            }
            return last;
        }

        /// <summary>The parameter values of each copy: Repeat = N (N equal copies) or Repeat = @{ Name = list, ... } (one copy per item).</summary>
        private List<Dictionary<string, JsonNode?>> Copies(Dictionary<string, JsonNode?> use, IEnumerable<string> parameters, string where, string blockName)
        {
            if (!use.TryGetValue("Repeat", out var repeat))
            {
                return [new()];
            }
            if (repeat is JsonValue count && count.TryGetValue<long>(out var times))
            {
                return times is >= 1 and <= 1000
                    ? Enumerable.Range(0, (int)times).Select(_ => new Dictionary<string, JsonNode?>()).ToList()
                    : throw Error($"{where} (block '{blockName}'): Repeat is a number of copies from 1 to 1000, or a hashtable of parameter lists; got {times}.");
            }
            var lists = Table(repeat, $"{where}.Repeat", null, "Repeat is a number of copies, or a hashtable of parameter lists such as @{ Channels = 8, 16, 32 }");
            var known = parameters.ToHashSet(StringComparer.OrdinalIgnoreCase);
            int? length = null;
            foreach (var (key, value) in lists)
            {
                if (!known.Contains(key))
                {
                    throw Error($"{where} (block '{blockName}'): Repeat names '{key}', which is not among the block's Parameters ({Listed(known)}).");
                }
                var items = value as JsonArray ?? new JsonArray(value?.DeepClone());
                if (length is { } expected && items.Count != expected)
                {
                    throw Error($"{where} (block '{blockName}'): every list of Repeat has one value per copy; '{key}' has {items.Count}, another {expected}.");
                }
                length = items.Count;
            }
            if (length is not > 0)
            {
                throw Error($"{where} (block '{blockName}'): Repeat lists no values.");
            }
            return Enumerable.Range(0, length.Value).Select(i => lists.ToDictionary(kv => kv.Key,
                kv => (kv.Value as JsonArray ?? new JsonArray(kv.Value?.DeepClone()))[i]?.DeepClone(), StringComparer.OrdinalIgnoreCase)).ToList();
        }

        private int AddLayer(Dictionary<string, JsonNode?> layer, int entry, string where, int input, Dictionary<string, int> names, int? blockInput = null)
        {
            var kind = NetworkFileLayers.Check(layer, where, path);
            var where2 = layer.TryGetValue("Name", out var name) && name is not null ? $"{where} ({kind.Name} '{name}')" : $"{where} ({kind.Name})";
            int[] from = [];
            if (kind.Connects)
            {
                var sources = layer.TryGetValue("From", out var named) ? (named as JsonArray ?? new JsonArray(named?.DeepClone())) : [];
                if (sources.Count == 0)
                {
                    throw Error($"{where2}: From names the layers to {kind.Name.ToLowerInvariant()} to its input (From = 'name' or From = 'a', 'b').");
                }
                from = sources.Select(s => Reference(Text(s, $"{where}.From"), names, where2, blockInput)).ToArray();
            }
            _nodes.Add(new LayerNode(_nodes.Count, entry, kind, layer, where2, input, from));
            return _nodes.Count - 1;
        }

        private int ResolveInput(Dictionary<string, JsonNode?> item, Dictionary<string, int> names, int previous, string where, int? blockInput = null) =>
            item.TryGetValue("Input", out var input) ? Reference(Text(input, $"{where}.Input"), names, where, blockInput) : previous;

        /// <summary>A name used by Input or From: 'input' (the block's or the network's input) or an earlier layer's Name in the same scope.</summary>
        private int Reference(string name, Dictionary<string, int> names, string where, int? blockInput)
        {
            if (name.Equals("input", StringComparison.OrdinalIgnoreCase))
            {
                return blockInput ?? -1;
            }
            return names.TryGetValue(name, out var node) ? node
                : throw Error($"{where}: unknown name '{name}'; {(blockInput is null ? "the top-level list" : "this block")} names {(names.Count == 0 ? "no earlier layer" : Listed(names.Keys))} before it, and 'input'.");
        }

        private void Declare(Dictionary<string, int> names, string name, int node, string where)
        {
            if (name.Equals("input", StringComparison.OrdinalIgnoreCase) || !names.TryAdd(name, node))
            {
                throw Error($"{where}: the name '{name}' is {(name.Equals("input", StringComparison.OrdinalIgnoreCase) ? "reserved for the input" : "already given to an earlier layer")}; names must be unique.");
            }
        }

        private Dictionary<string, JsonNode?> Substitute(Dictionary<string, JsonNode?> layer, Dictionary<string, JsonNode?> values) =>
            layer.ToDictionary(kv => kv.Key, kv => ParameterName(kv.Value) is { } reference ? values[reference]?.DeepClone() : kv.Value?.DeepClone(), StringComparer.OrdinalIgnoreCase);

        private static string? ParameterName(JsonNode? value) =>
            value is JsonValue text && text.TryGetValue<string>(out var s) && s.StartsWith('$') && s.Length > 1 ? s[1..] : null;

        private Dictionary<string, JsonNode?> Table(JsonNode? node, string where, string[]? keys, string expected)
        {
            if (node is not JsonObject table)
            {
                throw Error($"{where}: {expected}.");
            }
            var result = new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase);
            foreach (var (key, value) in table)
            {
                if (keys is not null && !keys.Contains(key, StringComparer.OrdinalIgnoreCase))
                {
                    throw Error($"{where}: unknown keyword '{key}'; expected {Listed(keys)}.");
                }
                if (!result.TryAdd(key, value))
                {
                    throw Error($"{where}: the keyword '{key}' appears twice (keywords ignore case).");
                }
            }
            return result;
        }

        private string Text(JsonNode? node, string where) =>
            node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : throw Error($"{where}: expected a name (a quoted string); got {Shown(node)}.");

        private bool Flag(JsonNode? node, string where) =>
            node is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : throw Error($"{where}: expected $true or $false; got {Shown(node)}.");
    }

    internal static string Shown(JsonNode? node) => node?.ToJsonString() ?? "$null";

    internal static string Listed(IEnumerable<string> names) => string.Join(", ", names);
}

/// <summary>
/// One layer of a network file once blocks are expanded: where it is in the file, its kind and settings, the node
/// it reads (-1: the network's input) and, for Add and Concat, the nodes it joins.
/// </summary>
internal sealed record LayerNode(int Index, int Entry, NetworkFileLayers.Kind Kind, IReadOnlyDictionary<string, JsonNode?> Settings,
    string Where, int Input, int[] From);
