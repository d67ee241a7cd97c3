using System.Text.Json.Nodes;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Maps;

/// <summary>A MAPS at a glance: task, network, mode, splits, groups, seed, and any forced leakage.</summary>
public sealed class MapsInfo
{
    public required string MapsPath { get; init; }
    public required string Task { get; init; }
    public required string Architecture { get; init; }

    /// <summary>What the network takes: image, patch, slice or roi.</summary>
    public required string Mode { get; init; }

    /// <summary>Samples per image (ClinicaDL's num_networks): 1 for whole images, else the parts.</summary>
    public required int PartsPerImage { get; init; }

    /// <summary>One network per part index (multi_network) rather than one for all parts.</summary>
    public required bool MultiNetwork { get; init; }
    public required ReadableList<int> Splits { get; init; }
    public required ReadableList<string> SelectionMetrics { get; init; }
    public required ReadableList<string> DataGroups { get; init; }
    public required int Seed { get; init; }
    public required ReadableList<string> InputSize { get; init; }
    public required int ParticipantsSeenInTraining { get; init; }

    /// <summary>Data groups evaluated with -AllowDataLeakage on participants seen in training.</summary>
    public required ReadableList<string> LeakageOverrides { get; init; }

    /// <summary>Complete, or Incomplete when a split of maps.json is not trained to its end (stopped, failed or still running).</summary>
    public required string Status { get; init; }

    /// <summary>The splits a stopped run left unfinished: Resume-ClinicaDLTraining completes them.</summary>
    public required ReadableList<int> IncompleteSplits { get; init; }

    public static MapsInfo Read(string mapsPath)
    {
        var maps = new MapsLayout(mapsPath);
        if (!File.Exists(maps.MapsJson))
        {
            throw new MapsNotFoundException(maps.Root);
        }
        try
        {
            return Read(maps);
        }
        catch (Exception error) when (error is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            throw new MapsException($"'{maps.MapsJson}' (or a data group's maps.json) is not a MAPS description this module can read: {error.Message}", error);
        }
    }

    private static MapsInfo Read(MapsLayout maps)
    {
        var json = JsonNode.Parse(File.ReadAllText(maps.MapsJson)) as JsonObject ?? throw new FormatException("it holds no JSON object.");
        var groups = Directory.Exists(maps.Groups) ? Directory.EnumerateDirectories(maps.Groups).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray() : [];
        var overrides = groups.Where(g => DataGroupDefinition.HasLeakageOverride(maps, g)).ToArray();
        var seen = File.Exists(maps.TrainValidation) ? TsvTable.Read(maps.TrainValidation) : null;
        var selectionMetrics = json["selection_metrics"]?.AsArray().Select(m => Item(m).GetValue<string>()).ToArray() ?? [];
        // A split is finished when its tmp/ (checkpoints) is gone and each selection metric has its best model.
        var incomplete = (json["split"]?.AsArray().Select(s => Item(s).GetValue<int>()) ?? [])
            .Where(s => !Directory.Exists(maps.Split(s)) || Directory.Exists(maps.Temporary(s)) || selectionMetrics.Any(m => !Directory.Exists(maps.Best(s, m))))
            .Order().ToArray();
        return new MapsInfo
        {
            MapsPath = maps.Root,
            Task = json["network_task"]?.GetValue<string>() ?? "",
            Architecture = json["architecture"]?.GetValue<string>() ?? "",
            Mode = json["mode"]?.GetValue<string>() ?? "image",
            PartsPerImage = json["num_networks"]?.GetValue<int>() ?? 1,
            MultiNetwork = json["multi_network"]?.GetValue<bool>() ?? false,
            Splits = new(maps.Splits()),
            SelectionMetrics = new(selectionMetrics),
            DataGroups = new(groups),
            Seed = json["seed"]?.GetValue<int>() ?? 0,
            InputSize = new(json["input_size"]?.AsArray().Select(n => Item(n).ToJsonString()) ?? []),
            ParticipantsSeenInTraining = seen?.Rows.Select(r => r[0]).Distinct().Count() ?? 0,
            LeakageOverrides = new(overrides),
            Status = incomplete.Length == 0 && seen is not null ? "Complete" : "Incomplete",
            IncompleteSplits = new(incomplete),
        };
    }

    private static JsonNode Item(JsonNode? item) => item ?? throw new FormatException("a list holds null.");
}
