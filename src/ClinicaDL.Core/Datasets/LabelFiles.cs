using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.IO;

namespace ClinicaDL.Core.Datasets;

/// <summary>Writes labels.tsv and, beside it, labels.json: the choices that made it, with ClinicaDL's key names.</summary>
public static class LabelFiles
{
    /// <summary>Writes both files (each atomically); <paramref name="bidsPath"/> or <paramref name="mergedTsv"/> names the source.</summary>
    public static void Write(string labelsPath, LabelResult result, LabelOptions options, string? bidsPath, string? mergedTsv)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(labelsPath))!);
        result.Labels.Write(labelsPath);
        var json = new JsonObject
        {
            ["bids_directory"] = bidsPath,
            ["merged_tsv"] = mergedTsv,
            ["diagnoses"] = new JsonArray(options.Diagnoses.Select(d => (JsonNode?)d).ToArray()),
            ["modality"] = options.Modality,
            ["restriction_tsv"] = options.RestrictionPath,
            ["variables_of_interest"] = new JsonArray(options.VariablesOfInterest.Select(v => (JsonNode?)v).ToArray()),
            ["remove_unique_session"] = options.RemoveUniqueSession,
            ["keep_smc"] = options.KeepSmc,
            ["diagnosis_column"] = options.DiagnosisColumn,
            ["default_session"] = options.DefaultSession,
        };
        using var file = AtomicFile.Create(Path.ChangeExtension(labelsPath, ".json"));
        file.Stream.Write(JsonSerializer.SerializeToUtf8Bytes(json, new JsonSerializerOptions { WriteIndented = true }));
        file.Commit();
    }
}
