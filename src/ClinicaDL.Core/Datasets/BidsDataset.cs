using ClinicaDL.Core.IO;
using ClinicaDL.Core.Selection;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Datasets;

/// <summary>
/// Reads a BIDS dataset's layout: subjects, sessions, NIfTI images with their entities and sidecars, and the
/// participants.tsv / sessions.tsv columns. derivatives/, sourcedata/, code/ and .bidsignore'd paths are not read.
/// A subject that cannot be read and a session folder that is a link to one already listed are reported as
/// issues and left out; the scan goes on.
/// </summary>
public static class BidsDataset
{
    private static readonly string[] ImageExtensions = [".nii.gz", ".nii"];

    public static BidsScan Scan(string path, IReadOnlyCollection<string>? modalities = null)
    {
        var root = Path.GetFullPath(path);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The BIDS folder '{root}' does not exist.");
        }
        var subjects = Directory.EnumerateDirectories(root, "sub-*").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        if (subjects.Count == 0)
        {
            throw NotBids(root);
        }
        var issues = new List<DatasetIssue>();
        if (!File.Exists(Path.Combine(root, "dataset_description.json")))
        {
            issues.Add(new DatasetIssue(DatasetIssueKind.MissingDatasetDescription,
                $"'{root}' has no dataset_description.json: it may not be a BIDS dataset.", [root]));
        }
        var ignore = BidsIgnore.Load(root);
        var participantsPath = Path.Combine(root, "participants.tsv");
        var participants = File.Exists(participantsPath) ? TsvTable.Read(participantsPath) : null;
        participants?.Require("participant_id");
        var participantRows = participants is null ? [] : IndexRows(participants, "participant_id");
        // Column types are decided once per table, not once per session.
        var participantsNumeric = participants is null ? [] : AttributeValues.NumericColumns(participants);

        subjects = subjects.Where(name => !ignore.IsIgnored(name)).ToList();
        if (participants is not null)
        {
            var missing = subjects.Where(s => !participantRows.ContainsKey(s)).ToList();
            if (missing.Count > 0)
            {
                issues.Add(new DatasetIssue(DatasetIssueKind.SubjectNotInParticipantsTsv,
                    $"{missing.Count} subject folder(s) of '{root}' are not listed in participants.tsv: {string.Join(", ", missing)}.",
                    missing.Select(s => Path.Combine(root, s)).ToList()));
            }
            var orphans = participantRows.Keys.Where(id => !subjects.Contains(id)).Order(StringComparer.Ordinal).ToList();
            if (orphans.Count > 0)
            {
                issues.Add(new DatasetIssue(DatasetIssueKind.ParticipantWithoutFolder,
                    $"{orphans.Count} participant(s) of '{participantsPath}' have no folder: {string.Join(", ", orphans)}.", [participantsPath]));
            }
        }

        var sessions = new List<BidsSession>();
        var suffixes = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var emptyImages = new List<string>();
        var hasSessions = false;
        var sessionFolders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var subject in subjects)
        {
            var subjectPath = Path.Combine(root, subject);
            // A subject that cannot be read (permissions, an invalid sessions.tsv) is reported and gone past.
            try
            {
                var sessionFolderNames = Directory.EnumerateDirectories(subjectPath, "ses-*")
                    .Select(Path.GetFileName).OfType<string>()
                    .Where(name => !ignore.IsIgnored($"{subject}/{name}"))
                    .Order(StringComparer.Ordinal).ToList();
                hasSessions |= sessionFolderNames.Count > 0;
                var sessionsTable = ReadSessionsTable(subjectPath, subject);
                var sessionRows = sessionsTable is null ? [] : IndexRows(sessionsTable, "session_id");
                var sessionsNumeric = sessionsTable is null ? [] : AttributeValues.NumericColumns(sessionsTable);
                var subjectFolder = FileTree.Identity(subjectPath);
                var folders = sessionFolderNames.Count > 0
                    ? sessionFolderNames.Select(s => (Id: (string?)s, Path: Path.Combine(subjectPath, s), Identity: FileTree.Identity(Path.Combine(subjectFolder, s))))
                    : [(null, subjectPath, subjectFolder)];
                foreach (var (sessionId, sessionPath, identity) in folders)
                {
                    if (!sessionFolders.TryAdd(identity, sessionPath))
                    {
                        issues.Add(new DatasetIssue(DatasetIssueKind.DuplicateFolder,
                            $"'{sessionPath}' is the same folder as '{sessionFolders[identity]}' (a symbolic link); it is left out so its images are not listed twice.",
                            [sessionPath]));
                        continue;
                    }
                    var images = FindImages(root, sessionPath, ignore, modalities, suffixes);
                    if (modalities is { Count: > 0 } && images.Count == 0)
                    {
                        continue;
                    }
                    emptyImages.AddRange(images.Where(i => i.SizeBytes == 0).Select(i => i.Path));
                    var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
                    AddAttributes(attributes, participants, participantsNumeric, RowOf(participantRows, subject), "participant_id");
                    AddAttributes(attributes, sessionsTable, sessionsNumeric, sessionId is null ? null : RowOf(sessionRows, sessionId), "session_id");
                    sessions.Add(new BidsSession
                    {
                        ParticipantId = subject,
                        SessionId = sessionId,
                        DatasetPath = root,
                        Images = new(images),
                        Attributes = new(attributes),
                    });
                }
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidTableException)
            {
                sessions.RemoveAll(s => s.ParticipantId == subject);
                issues.Add(new DatasetIssue(DatasetIssueKind.UnreadableSubject,
                    $"'{subjectPath}' could not be read ({error.Message}); its sessions are left out.", [subjectPath]));
            }
        }
        if (emptyImages.Count > 0)
        {
            issues.Add(new DatasetIssue(DatasetIssueKind.EmptyImageFile,
                $"{emptyImages.Count} image file(s) of '{root}' are empty (0 bytes), links to nothing or not regular files (a FIFO, socket or device), e.g. '{emptyImages[0]}'.", emptyImages));
        }
        var present = suffixes.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} ({s.Value} sessions)").ToList();
        return new BidsScan
        {
            DatasetPath = root,
            Sessions = sessions,
            Issues = issues,
            HasSessions = hasSessions,
            ParticipantsColumns = participants?.Columns ?? [],
            MissingModalities = (modalities ?? []).Where(m => !suffixes.ContainsKey(m))
                .Select(m => new MissingName(NotFoundKind.Modality, m, $"The BIDS dataset '{root}'", present)).ToList(),
        };
    }

    /// <summary>Why a folder without sub-* folders is not BIDS, and what it looks like: a CAPS keeps its subjects under subjects/.</summary>
    private static NotBidsDatasetException NotBids(string root)
    {
        var description = File.Exists(Path.Combine(root, "dataset_description.json")) ? "" : " and no dataset_description.json";
        var caps = Directory.Exists(Path.Combine(root, "subjects")) && Directory.EnumerateDirectories(Path.Combine(root, "subjects"), "sub-*").Any();
        return new NotBidsDatasetException(
            $"'{root}' is not a BIDS dataset: it has no sub-* folder{description}." +
            (caps ? " It looks like a CAPS folder (its subjects are under subjects/): read it with Import-CapsDataset." : ""), root);
    }

    /// <summary>
    /// The dataset a path belongs to: a dataset folder itself (it has sub-* folders or a dataset_description.json),
    /// else the folder above the nearest sub-* folder holding the path (an image or session of a subject).
    /// Objects that name one of their images, such as New-ClinicaDLSyntheticDataset's sessions, so name their dataset.
    /// </summary>
    public static string RootOf(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (Directory.Exists(full) && (File.Exists(Path.Combine(full, "dataset_description.json")) || Directory.EnumerateDirectories(full, "sub-*").Any()))
        {
            return full;
        }
        for (var folder = Directory.Exists(full) ? full : Path.GetDirectoryName(full); folder is not null; folder = Path.GetDirectoryName(folder))
        {
            if (Path.GetFileName(folder).StartsWith("sub-", StringComparison.Ordinal) && Path.GetDirectoryName(folder) is { } root)
            {
                return root;
            }
        }
        return full;
    }

    private static TsvTable? ReadSessionsTable(string subjectPath, string subject)
    {
        var path = Path.Combine(subjectPath, $"{subject}_sessions.tsv");
        if (!File.Exists(path))
        {
            return null;
        }
        var table = TsvTable.Read(path);
        table.Require("session_id");
        return table;
    }

    private static Dictionary<string, int> IndexRows(TsvTable table, string keyColumn)
    {
        var key = table.IndexOf(keyColumn);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var row = 0; row < table.Rows.Count; row++)
        {
            var value = table.Rows[row][key];
            if (value is null)
            {
                throw new InvalidTableException($"'{table.Path}', line {TsvTable.LineOf(row)}: {keyColumn} is missing.", table.Path);
            }
            if (!index.TryAdd(value, row))
            {
                throw new InvalidTableException($"'{table.Path}', line {TsvTable.LineOf(row)}: {keyColumn} '{value}' already appears on line {TsvTable.LineOf(index[value])}.", table.Path);
            }
        }
        return index;
    }

    /// <summary>The row of a key, or null when the table does not list it (its columns are then missing values).</summary>
    private static int? RowOf(Dictionary<string, int> rows, string key) => rows.TryGetValue(key, out var row) ? row : null;

    private static void AddAttributes(Dictionary<string, object?> attributes, TsvTable? table, bool[] numeric, int? row, string keyColumn)
    {
        if (table is null)
        {
            return;
        }
        for (var column = 0; column < table.Columns.Count; column++)
        {
            if (table.Columns[column] != keyColumn)
            {
                attributes[table.Columns[column]] = row is null ? null : AttributeValues.Typed(table.Rows[row.Value][column], numeric[column]);
            }
        }
    }

    /// <summary>The images of a session folder; <paramref name="suffixes"/> counts, per suffix, the sessions having one before the modality filter (what a filter could have named).</summary>
    private static List<BidsImage> FindImages(string root, string sessionPath, BidsIgnore ignore, IReadOnlyCollection<string>? modalities, Dictionary<string, int> suffixes)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var images = new List<BidsImage>();
        foreach (var datatypeFolder in Directory.EnumerateDirectories(sessionPath).Order(StringComparer.Ordinal))
        {
            var datatype = Path.GetFileName(datatypeFolder);
            if (datatype.StartsWith("ses-", StringComparison.Ordinal))
            {
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(datatypeFolder, "sub-*").Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(file);
                var extension = ImageExtensions.FirstOrDefault(e => name.EndsWith(e, StringComparison.Ordinal));
                if (extension is null || ignore.IsIgnored(Path.GetRelativePath(root, file)))
                {
                    continue;
                }
                var stem = name[..^extension.Length];
                var parts = stem.Split('_');
                var suffix = parts[^1];
                if (seen.Add(suffix))
                {
                    suffixes[suffix] = suffixes.GetValueOrDefault(suffix) + 1;
                }
                if (modalities is { Count: > 0 } && !modalities.Contains(suffix, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }
                var entities = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var part in parts[..^1])
                {
                    var dash = part.IndexOf('-');
                    if (dash > 0 && part[..dash] is not ("sub" or "ses"))
                    {
                        entities[part[..dash]] = part[(dash + 1)..];
                    }
                }
                images.Add(new BidsImage
                {
                    Path = file,
                    Suffix = suffix,
                    Datatype = datatype,
                    Entities = new(entities),
                    SidecarPath = FindSidecar(root, datatypeFolder, stem, entities, suffix),
                    SizeBytes = RegularFile.Length(file) ?? 0,
                });
            }
        }
        return images;
    }

    /// <summary>
    /// The sidecar beside the image, else the dataset-level one the inheritance principle gives (same entities
    /// without sub/ses, e.g. <c>task-rest_acq-fullbrain_bold.json</c>).
    /// </summary>
    private static string? FindSidecar(string root, string folder, string stem, IReadOnlyDictionary<string, string> entities, string suffix)
    {
        var beside = Path.Combine(folder, stem + ".json");
        if (File.Exists(beside))
        {
            return beside;
        }
        var inherited = Path.Combine(root, string.Join('_', entities.Select(e => $"{e.Key}-{e.Value}").Append(suffix)) + ".json");
        return File.Exists(inherited) ? inherited : null;
    }
}
