using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Conversion;

/// <summary>
/// The checks a BIDS dataset must pass to be read by this module and by the field's tools: the required files
/// (dataset_description.json with Name and BIDSVersion), file and folder names made of BIDS entities in their
/// order and of suffixes of their datatype, sidecar JSON files that parse, participants.tsv listing every subject
/// folder, subjects with or without sessions but not both. derivatives/, sourcedata/, code/, stimuli/, phenotype/,
/// hidden entries and what .bidsignore lists are not checked. Image contents are checked only when asked, since
/// example datasets ship empty placeholders.
/// </summary>
public static class BidsValidator
{
    public static BidsValidationResult Validate(string path, bool checkImages = false)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The BIDS folder '{root}' does not exist.");
        }
        var issues = new List<BidsValidationIssue>();
        void Error(string code, string where, string message) => issues.Add(new(nameof(BidsIssueSeverity.Error), code, where, message));
        void Warning(string code, string where, string message) => issues.Add(new(nameof(BidsIssueSeverity.Warning), code, where, message));
        var ignore = BidsIgnore.Load(root);

        var description = Path.Combine(root, "dataset_description.json");
        if (!File.Exists(description))
        {
            Error("MissingDatasetDescription", root, $"'{root}' has no dataset_description.json, which BIDS requires (with Name and BIDSVersion).");
        }
        else if (ReadJson(description) is not JsonObject fields)
        {
            Error("InvalidDatasetDescription", description, $"'{description}' is not a JSON object.");
        }
        else
        {
            foreach (var required in new[] { "Name", "BIDSVersion" }.Where(f => fields[f] is null))
            {
                Error("InvalidDatasetDescription", description, $"'{description}' has no {required}, which BIDS requires.");
            }
        }
        if (!Directory.EnumerateFiles(root, "README*").Any())
        {
            Warning("MissingReadme", root, $"'{root}' has no README; BIDS recommends one describing the dataset.");
        }

        var subjects = new List<string>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(entry);
            if (name.StartsWith('.') || ignore.IsIgnored(name))
            {
                continue;
            }
            if (Directory.Exists(entry))
            {
                if (name.StartsWith("sub-", StringComparison.Ordinal))
                {
                    subjects.Add(name);
                }
                else if (!BidsNaming.TopLevelFolders.Contains(name))
                {
                    Error("NotBidsPath", entry, $"'{entry}' is not a folder BIDS knows (sub-*, derivatives, sourcedata, code, stimuli, phenotype); list it in .bidsignore if it belongs there.");
                }
            }
            else if (!BidsNaming.TopLevelFiles.Contains(name))
            {
                // Top-level files may also be inherited metadata: entities and a suffix without sub- (task-rest_bold.json, dwi.bval).
                if (BidsNaming.Parse(name) is not { } parsed || parsed.Entities.Any(e => !BidsNaming.EntityOrder.Contains(e.Key) || e.Key is "sub")
                    || !BidsNaming.Suffixes.Any(d => BidsNaming.IsSuffix(d.Key, parsed.Suffix)))
                {
                    Error("NotBidsPath", entry, $"'{entry}' is not a file BIDS knows at the top of a dataset; list it in .bidsignore if it belongs there.");
                }
                else if (name.EndsWith(".json", StringComparison.Ordinal) && ReadJson(entry) is null)
                {
                    Error("UnreadableSidecar", entry, $"'{entry}' is not valid JSON.");
                }
            }
        }
        if (subjects.Count == 0)
        {
            Error("NoSubjects", root, $"'{root}' has no sub-* folder.");
        }

        var participantsPath = Path.Combine(root, "participants.tsv");
        if (File.Exists(participantsPath))
        {
            try
            {
                var table = TsvTable.Read(participantsPath);
                if (!table.HasColumn("participant_id"))
                {
                    Error("InvalidParticipantsTsv", participantsPath, $"'{participantsPath}' has no participant_id column.");
                }
                else
                {
                    var listed = table.Rows.Select(r => r[table.IndexOf("participant_id")]).OfType<string>().ToHashSet(StringComparer.Ordinal);
                    var missing = subjects.Where(s => !listed.Contains(s)).ToList();
                    if (missing.Count > 0)
                    {
                        Error("SubjectNotInParticipantsTsv", participantsPath, $"{missing.Count} subject folder(s) are not listed in participants.tsv: {string.Join(", ", missing)}.");
                    }
                    var orphans = listed.Where(p => !subjects.Contains(p)).Order(StringComparer.Ordinal).ToList();
                    if (orphans.Count > 0)
                    {
                        Warning("ParticipantWithoutFolder", participantsPath, $"{orphans.Count} participant(s) of participants.tsv have no folder: {string.Join(", ", orphans)}.");
                    }
                }
            }
            catch (InvalidTableException error)
            {
                Error("InvalidParticipantsTsv", participantsPath, error.Message);
            }
        }
        else
        {
            Warning("MissingParticipantsTsv", root, $"'{root}' has no participants.tsv; BIDS recommends one listing every subject.");
        }

        var sessions = 0;
        var files = 0;
        foreach (var subject in subjects)
        {
            var label = subject[4..];
            var subjectPath = Path.Combine(root, subject);
            if (!BidsNaming.IsLabel(label))
            {
                Error("InvalidLabel", subjectPath, $"'{subject}' is not a valid subject folder: labels hold only letters, digits and '+'.");
            }
            var sessionFolders = new List<string>();
            var datatypeFolders = new List<string>();
            foreach (var entry in Directory.EnumerateFileSystemEntries(subjectPath).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(entry);
                if (name.StartsWith('.') || ignore.IsIgnored($"{subject}/{name}"))
                {
                    continue;
                }
                if (Directory.Exists(entry))
                {
                    (name.StartsWith("ses-", StringComparison.Ordinal) ? sessionFolders : datatypeFolders).Add(entry);
                }
                else
                {
                    // sessions.tsv, scans.tsv, and metadata inherited by the sessions below.
                    files++;
                    CheckFile(entry, $"{subject}_", null, checkImages, Error);
                }
            }
            if (sessionFolders.Count > 0 && datatypeFolders.Count > 0)
            {
                Error("MixedSessions", subjectPath, $"'{subjectPath}' has both session folders and datatype folders ({string.Join(", ", datatypeFolders.Select(Path.GetFileName))}); a subject has sessions or not.");
            }
            foreach (var folder in datatypeFolders)
            {
                files += CheckDatatype(root, folder, label, null, ignore, checkImages, Error);
            }
            foreach (var sessionPath in sessionFolders)
            {
                sessions++;
                var session = Path.GetFileName(sessionPath)[4..];
                if (!BidsNaming.IsLabel(session))
                {
                    Error("InvalidLabel", sessionPath, $"'{sessionPath}' is not a valid session folder: labels hold only letters, digits and '+'.");
                }
                foreach (var entry in Directory.EnumerateFileSystemEntries(sessionPath).Order(StringComparer.Ordinal))
                {
                    var name = Path.GetFileName(entry);
                    if (name.StartsWith('.') || ignore.IsIgnored(Path.GetRelativePath(root, entry).Replace('\\', '/')))
                    {
                        continue;
                    }
                    if (Directory.Exists(entry))
                    {
                        files += CheckDatatype(root, entry, label, session, ignore, checkImages, Error);
                    }
                    else
                    {
                        files++;
                        CheckFile(entry, $"sub-{label}_ses-{session}_", null, checkImages, Error);
                    }
                }
            }
        }
        return new BidsValidationResult { Path = root, Issues = new(issues), SubjectCount = subjects.Count, SessionCount = sessions, FileCount = files };
    }

    /// <summary>Checks the names (and sidecars, and images when asked) of one datatype folder; returns how many entries it holds.</summary>
    private static int CheckDatatype(string root, string folder, string subject, string? session, BidsIgnore ignore, bool checkImages, Action<string, string, string> error)
    {
        var datatype = Path.GetFileName(folder);
        if (!BidsNaming.Suffixes.ContainsKey(datatype))
        {
            error("UnknownDatatype", folder, $"'{folder}': '{datatype}' is not a BIDS datatype ({string.Join(", ", BidsNaming.Suffixes.Keys)}).");
            return 0;
        }
        var count = 0;
        var prefix = session is null ? $"sub-{subject}_" : $"sub-{subject}_ses-{session}_";
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(entry);
            if (!name.StartsWith('.') && !ignore.IsIgnored(Path.GetRelativePath(root, entry).Replace('\\', '/')))
            {
                count++;
                CheckFile(entry, prefix, datatype, checkImages, error);
            }
        }
        return count;
    }

    /// <summary>
    /// Checks one file name: the subject (and session) prefix, known entities in BIDS order with valid values, a suffix
    /// of the datatype (or, above the datatype folders, of any datatype, sessions or scans); sidecars must parse.
    /// </summary>
    private static void CheckFile(string entry, string prefix, string? datatype, bool checkImages, Action<string, string, string> error)
    {
        var name = Path.GetFileName(entry);
        if (!name.StartsWith(prefix, StringComparison.Ordinal))
        {
            error("InvalidFileName", entry, $"'{entry}' should start with '{prefix}' (the subject and session folders it is in).");
            return;
        }
        if (BidsNaming.Parse(name) is not { } parsed)
        {
            error("InvalidFileName", entry, $"'{entry}' is not made of entity-label pairs and a suffix (sub-01_ses-01_acq-x_T1w.nii.gz).");
            return;
        }
        var position = -1;
        foreach (var (key, value) in parsed.Entities)
        {
            var order = IndexOf(key);
            if (order < 0)
            {
                error("UnknownEntity", entry, $"'{entry}': '{key}' is not a BIDS entity.");
            }
            else if (order <= position)
            {
                error("EntityOrder", entry, $"'{entry}': the entity '{key}' is out of BIDS order ({string.Join(", ", BidsNaming.EntityOrder)}).");
            }
            else if (!BidsNaming.IsValue(key, value))
            {
                error("InvalidLabel", entry, $"'{entry}': '{value}' is not a valid value of {key}.");
            }
            position = Math.Max(position, order);
        }
        if (datatype is not null && !BidsNaming.IsSuffix(datatype, parsed.Suffix))
        {
            error("UnknownSuffix", entry, $"'{entry}': '{parsed.Suffix}' is not a suffix of {datatype} ({string.Join(", ", BidsNaming.Suffixes[datatype])}).");
        }
        else if (datatype is null && parsed.Suffix is not ("sessions" or "scans") && !BidsNaming.Suffixes.Keys.Any(d => BidsNaming.IsSuffix(d, parsed.Suffix)))
        {
            error("UnknownSuffix", entry, $"'{entry}': '{parsed.Suffix}' is not a BIDS suffix.");
        }
        if (parsed.Extension == ".json" && ReadJson(entry) is null)
        {
            error("UnreadableSidecar", entry, $"'{entry}' is not valid JSON.");
        }
        if (checkImages && parsed.Extension is ".nii" or ".nii.gz")
        {
            try
            {
                NiftiReader.ReadHeader(entry);
            }
            catch (Exception failure) when (failure is InvalidNiftiException or IOException)
            {
                error("InvalidImage", entry, failure.Message);
            }
        }
    }

    private static int IndexOf(string entity)
    {
        for (var i = 0; i < BidsNaming.EntityOrder.Count; i++)
        {
            if (BidsNaming.EntityOrder[i] == entity)
            {
                return i;
            }
        }
        return -1;
    }

    private static JsonNode? ReadJson(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path));
        }
        catch (Exception failure) when (failure is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
