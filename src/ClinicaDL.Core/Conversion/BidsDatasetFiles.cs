using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Conversion;

/// <summary>
/// The dataset-level files a conversion keeps up to date: dataset_description.json, README and .bidsignore are
/// made when absent (an existing description gains the converters in GeneratedBy); participants.tsv and the
/// sessions.tsv files gain rows and fill empty cells, never change a value, and are rewritten atomically.
/// </summary>
public static class BidsDatasetFiles
{
    internal static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Makes dataset_description.json, or adds the missing GeneratedBy entries to an existing one.</summary>
    public static void WriteDescription(string root, string name, IReadOnlyList<(string Name, string Version)> generatedBy)
    {
        var path = Path.Combine(root, "dataset_description.json");
        JsonObject description;
        if (File.Exists(path))
        {
            try
            {
                description = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not an object");
            }
            catch (JsonException error)
            {
                throw new InvalidDataException($"'{path}' is not valid JSON ({error.Message}); fix it, then convert again.", error);
            }
        }
        else
        {
            description = new JsonObject { ["Name"] = name, ["BIDSVersion"] = BidsNaming.Version, ["DatasetType"] = "raw" };
        }
        if (description["GeneratedBy"] is not JsonArray tools)
        {
            tools = [];
            description["GeneratedBy"] = tools;
        }
        var changed = !File.Exists(path);
        foreach (var (tool, version) in generatedBy)
        {
            if (!tools.Any(t => t?["Name"]?.ToString() == tool && t?["Version"]?.ToString() == version))
            {
                tools.Add(new JsonObject { ["Name"] = tool, ["Version"] = version });
                changed = true;
            }
        }
        if (changed)
        {
            AtomicFile.WriteAllText(path, description.ToJsonString(Indented) + "\n");
        }
    }

    /// <summary>A README saying where the data came from, for the authors to complete (BIDS recommends one).</summary>
    public static void WriteReadme(string root, string name)
    {
        if (Directory.EnumerateFiles(root, "README*").Any())
        {
            return;
        }
        AtomicFile.WriteAllText(Path.Combine(root, "README"),
            $"# {name}\n\nThis BIDS dataset was converted from scanner exports (DICOM, through dcm2niix) and NIfTI/ANALYZE files by\n" +
            "ClinicaDL for PowerShell (ConvertTo-BidsDataset). Patient names, identifiers, birth dates and other identifying DICOM\n" +
            "fields were left out of every sidecar. Describe here the study, the participants, the acquisitions and how to cite it.\n" +
            "Conversion logs are kept in logs/ (listed in .bidsignore).\n");
    }

    /// <summary>Adds entries to .bidsignore (made when absent).</summary>
    public static void AddToBidsIgnore(string root, IEnumerable<string> entries)
    {
        var path = Path.Combine(root, ".bidsignore");
        var lines = File.Exists(path) ? File.ReadAllLines(path).ToList() : [];
        var missing = entries.Where(e => !lines.Contains(e)).ToList();
        if (missing.Count > 0)
        {
            AtomicFile.WriteAllText(path, string.Join("\n", lines.Concat(missing)) + "\n");
        }
    }

    /// <summary>
    /// Adds rows to a TSV keyed by its first column (participants.tsv by participant_id, sessions.tsv by session_id):
    /// new keys get a row, new columns are added, empty cells are filled; existing values stay.
    /// </summary>
    public static void Merge(string path, string keyColumn, IReadOnlyDictionary<string, Dictionary<string, string>> rows)
    {
        var table = File.Exists(path) ? TsvTable.Read(path) : new TsvTable([keyColumn], []);
        table.Require(keyColumn);
        var columns = table.Columns.ToList();
        foreach (var column in rows.Values.SelectMany(r => r.Keys))
        {
            if (!columns.Contains(column))
            {
                columns.Add(column);
            }
        }
        var key = table.IndexOf(keyColumn);
        var result = table.Rows.Select(r => columns.Select(c => table.IndexOf(c) is var i and >= 0 ? r[i] : null).ToArray()).ToList();
        foreach (var (id, values) in rows)
        {
            var row = result.FirstOrDefault(r => r[key] == id);
            if (row is null)
            {
                row = new string?[columns.Count];
                row[key] = id;
                result.Add(row);
            }
            foreach (var (column, value) in values)
            {
                var index = columns.IndexOf(column);
                if (TsvTable.IsMissing(row[index]))
                {
                    row[index] = value;
                }
            }
        }
        new TsvTable(columns, result.OrderBy(r => r[key], StringComparer.Ordinal).Select(r => r.Select(c => c ?? "n/a").ToArray())).Write(path);
    }
}
