using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Selection;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Maps;

/// <summary>
/// A MAPS data group made by prediction or interpretation: defined once from a CAPS and a TSV, refused when it
/// holds a participant seen in training or pre-training (groups/train+validation.tsv) unless forced, and then
/// the override is written into the group's maps.json.
/// </summary>
public static class DataGroupDefinition
{
    /// <summary>
    /// Reads an existing group (when neither CAPS nor TSV is given), or checks and writes a new one's
    /// groups/&lt;group&gt;/{data.tsv, maps.json}; returns its CAPS, its table and whether leakage was forced.
    /// </summary>
    public static (string Caps, TsvTable Table, bool Leakage) Resolve(MapsFolder maps, string group, string? capsPath, string? tsvPath, bool overwrite, bool allowDataLeakage)
    {
        var folder = maps.Layout.Group(group);
        var exists = Directory.Exists(folder);
        var defining = capsPath is not null || tsvPath is not null;
        if (exists && !defining)
        {
            var groupJson = JsonNode.Parse(File.ReadAllText(maps.Layout.GroupDescription(group)))!;
            return (groupJson["caps_directory"]!.GetValue<string>(), TsvTable.Read(maps.Layout.GroupData(group)), groupJson["leakage_override"] is not null);
        }
        if (exists && !overwrite)
        {
            throw new DataGroupException($"The data group '{group}' is already defined in '{maps.Root}'; use it without -CapsPath/-TsvPath, or redefine it with -Overwrite.");
        }
        if (capsPath is null && tsvPath is null)
        {
            throw new NotFoundException(new MissingName(NotFoundKind.DataGroup, group, MapsSelection.Describe(maps), maps.DataGroups,
                "Give -CapsPath and -TsvPath to define it."));
        }
        if (capsPath is null || tsvPath is null)
        {
            throw new DataGroupException($"The new data group '{group}' needs both -CapsPath and -TsvPath.");
        }
        var table = TsvTable.Read(tsvPath);
        table.Require("participant_id", "session_id");
        var seen = TsvTable.Read(maps.Layout.TrainValidation);
        var seenParticipants = seen.Rows.Select(r => r[seen.IndexOf("participant_id")]).ToHashSet();
        var overlap = table.Rows.Select(r => r[table.IndexOf("participant_id")]!).Where(seenParticipants.Contains).Distinct().Order(StringComparer.Ordinal).ToList();
        if (overlap.Count > 0 && !allowDataLeakage)
        {
            throw new DataLeakageException(
                $"{overlap.Count} participant(s) of '{tsvPath}' were seen in training or pre-training of '{maps.Root}' (groups/train+validation.tsv): {string.Join(", ", overlap.Take(30))}{(overlap.Count > 30 ? ", ..." : "")}. " +
                "Evaluate on participants the model never saw; -AllowDataLeakage proceeds and records the override.", overlap);
        }
        if (exists)
        {
            // Every result folder of the old definition is checked before any is removed: a refusal deletes nothing.
            var results = maps.Splits.SelectMany(split => maps.Split(split).BestMetrics().Select(metric => maps.Split(split).Results(metric, group)))
                .Where(Directory.Exists).ToList();
            results.ForEach(r => OwnedOutput.CheckOwned(r, OutputKind.DataGroupResults));
            results.ForEach(r => Directory.Delete(r, recursive: true));
        }
        Directory.CreateDirectory(folder);
        var label = maps.Configuration.ResolvedLabel;
        var columns = new List<string> { "participant_id", "session_id" };
        if (table.HasColumn(label))
        {
            columns.Add(label);
        }
        new TsvTable(columns, table.Rows.Select(r => columns.Select(c => r[table.IndexOf(c)]).ToArray())).Write(maps.Layout.GroupData(group));
        var json = new JsonObject { ["caps_directory"] = Path.GetFullPath(capsPath), ["multi_cohort"] = false, ["tsv_path"] = Path.GetFullPath(tsvPath) };
        if (overlap.Count > 0)
        {
            json["leakage_override"] = new JsonObject
            {
                ["participants"] = new JsonArray(overlap.Select(p => (JsonNode?)p).ToArray()),
                ["date"] = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
                ["note"] = "Evaluated with -AllowDataLeakage although these participants were seen in training or pre-training: results are biased.",
            };
        }
        AtomicFile.WriteAllText(maps.Layout.GroupDescription(group), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return (Path.GetFullPath(capsPath), table, overlap.Count > 0);
    }
}
