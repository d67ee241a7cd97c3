using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Cluster;

/// <summary>
/// One submission of an output's parts (a MAPS' splits, a search's trials, a CAPS' chunks of images): a SLURM array
/// job, or local child processes with -ThrottleLimit. Recorded as jobs/&lt;job id&gt;.json in the output, so that
/// Get-ClinicaDLJob finds it from the output folder alone, in another session.
/// </summary>
public sealed class ClusterJob
{
    public const string FolderName = "jobs";

    /// <summary>SLURM's job id, or "local-&lt;time&gt;" for child processes.</summary>
    public required string JobId { get; init; }

    /// <summary>Slurm or Local.</summary>
    public required string Scheduler { get; init; }

    /// <summary>What the parts are: Training (splits), RandomSearch (trials) or Preprocessing (chunks of images).</summary>
    public required string Kind { get; init; }

    /// <summary>The parts, in task order: task i runs Parts[i].</summary>
    public required ReadableList<int> Parts { get; init; }
    public int ArraySize => Parts.Count;
    public required string OutputPath { get; init; }

    /// <summary>The sbatch script (SLURM) or the part script (local).</summary>
    public required string ScriptPath { get; init; }

    /// <summary>Each task's log, in task order.</summary>
    public required ReadableList<string> LogPaths { get; init; }

    /// <summary>When it was submitted (UTC, ISO 8601).</summary>
    public required string Submitted { get; init; }

    public static string Folder(string output) => Path.Combine(Path.GetFullPath(output), FolderName);

    public void Save() => AtomicFile.WriteAllText(Path.Combine(Folder(OutputPath), $"{JobId}.json"), new JsonObject
    {
        ["job_id"] = JobId, ["scheduler"] = Scheduler, ["kind"] = Kind, ["parts"] = new JsonArray(Parts.Select(p => (JsonNode?)p).ToArray()),
        ["output_path"] = OutputPath, ["script_path"] = ScriptPath, ["log_paths"] = new JsonArray(LogPaths.Select(p => (JsonNode?)p).ToArray()),
        ["submitted"] = Submitted,
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    /// <summary>The jobs recorded in <paramref name="output"/>, oldest first; <paramref name="jobId"/> picks one.</summary>
    public static IReadOnlyList<ClusterJob> In(string output, string? jobId = null)
    {
        var folder = Folder(output);
        if (!Directory.Exists(folder))
        {
            return [];
        }
        return Directory.EnumerateFiles(folder, "*.json").Select(Read)
            .Where(j => jobId is null || j.JobId == jobId).OrderBy(j => j.Submitted, StringComparer.Ordinal).ToList();
    }

    private static ClusterJob Read(string path)
    {
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            return new ClusterJob
            {
                JobId = (string)json["job_id"]!, Scheduler = (string)json["scheduler"]!, Kind = (string)json["kind"]!,
                Parts = new(json["parts"]!.AsArray().Select(p => (int)p!).ToList()), OutputPath = (string)json["output_path"]!,
                ScriptPath = (string)json["script_path"]!, LogPaths = new(json["log_paths"]!.AsArray().Select(p => (string)p!).ToList()),
                Submitted = (string)json["submitted"]!,
            };
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new InvalidDataException($"'{path}' is not a job record of this module ({error.Message}).", error);
        }
    }
}
