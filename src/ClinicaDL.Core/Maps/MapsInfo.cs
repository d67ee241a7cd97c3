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

    public static MapsInfo Read(string mapsPath) => Read(MapsFolder.Open(mapsPath));

    public static MapsInfo Read(MapsFolder maps)
    {
        try
        {
            return Describe(maps);
        }
        catch (Exception error) when (error is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            throw new MapsException($"'{maps.Layout.MapsJson}' (or a data group's maps.json) is not a MAPS description this module can read: {error.Message}", error);
        }
    }

    private static MapsInfo Describe(MapsFolder maps)
    {
        var json = maps.Description;
        var groups = maps.DataGroups;
        var seen = maps.ReadSeenSessions();
        var incomplete = maps.FindIncompleteSplits();
        return new MapsInfo
        {
            MapsPath = maps.Root,
            Task = json["network_task"]?.GetValue<string>() ?? "",
            Architecture = json["architecture"]?.GetValue<string>() ?? "",
            Mode = json["mode"]?.GetValue<string>() ?? "image",
            PartsPerImage = json["num_networks"]?.GetValue<int>() ?? 1,
            MultiNetwork = json["multi_network"]?.GetValue<bool>() ?? false,
            Splits = new(maps.Splits),
            SelectionMetrics = new(maps.SelectionMetrics),
            DataGroups = new(groups),
            Seed = json["seed"]?.GetValue<int>() ?? 0,
            InputSize = new(json["input_size"]?.AsArray().Select(n => Item(n).ToJsonString()) ?? []),
            ParticipantsSeenInTraining = seen?.Rows.Select(r => r[0]).Distinct().Count() ?? 0,
            LeakageOverrides = new(groups.Where(maps.HasLeakageOverride)),
            Status = incomplete.Count == 0 && seen is not null ? "Complete" : "Incomplete",
            IncompleteSplits = new(incomplete),
        };
    }

    private static JsonNode Item(JsonNode? item) => item ?? throw new FormatException("a list holds null.");
}
