using System.Text.Json;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Splits;

/// <summary>
/// Audits split trees (folders with split.json or kfold.json, as ClinicaDL and <see cref="SplitWriter"/> write
/// them) and MAPS folders for the data leakage that contaminates results.
/// </summary>
public static class DataLeakageAuditor
{
    private const string BiasedSplit = "biased split";
    private const string LateSplit = "late split";
    private const string BiasedEnsemble = "biased ensemble";
    private const string NoTestSet = "no independent test set";

    /// <summary>
    /// The folder an audit of <paramref name="path"/> must examine: the path itself when split.json or kfold.json
    /// lies under it, else the split or k-fold folder it is part of (a piped fold, split-&lt;i&gt;, audits its k-fold
    /// folder), else the path (whose audit then fails, having nothing to examine).
    /// </summary>
    public static string AuditRoot(string path)
    {
        path = Path.GetFullPath(path);
        if (!Directory.Exists(path) || FileTree.Files(path, "split.json").Any() || FileTree.Files(path, "kfold.json").Any())
        {
            return path;
        }
        var current = path;
        for (var level = 0; level < 2 && Path.GetDirectoryName(current) is { } parent; level++, current = parent)
        {
            if (File.Exists(Path.Combine(parent, "kfold.json")) || File.Exists(Path.Combine(parent, "split.json")))
            {
                return parent;
            }
        }
        return path;
    }

    public static LeakageAudit AuditSplitTree(string root)
    {
        root = Path.GetFullPath(root);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The split folder '{root}' does not exist.");
        }
        var findings = new List<LeakageFinding>();
        var files = 0;
        var splitFolders = FileTree.Files(root, "split.json").Select(Path.GetDirectoryName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var kfoldFolders = FileTree.Files(root, "kfold.json").Select(Path.GetDirectoryName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        foreach (var folder in splitFolders)
        {
            files += CheckSides(folder, SubsetName(Path.Combine(folder, "split.json"), "test"), findings);
        }
        foreach (var folder in kfoldFolders)
        {
            var subsetName = SubsetName(Path.Combine(folder, "kfold.json"), "validation");
            var folds = Directory.EnumerateDirectories(folder, SplitFolderName.Pattern).Order(StringComparer.Ordinal).ToList();
            var held = new List<(string Folder, HashSet<string> Participants)>();
            var everyone = new HashSet<string>(StringComparer.Ordinal);
            foreach (var fold in folds)
            {
                files += CheckSides(fold, subsetName, findings);
                var subset = Participants(SubsetFiles(fold, subsetName));
                held.Add((fold, subset));
                everyone.UnionWith(subset);
                everyone.UnionWith(Participants(TrainFiles(fold)));
            }
            for (var a = 0; a < held.Count; a++)
            {
                for (var b = a + 1; b < held.Count; b++)
                {
                    var both = held[a].Participants.Intersect(held[b].Participants).Order(StringComparer.Ordinal).ToArray();
                    if (both.Length > 0)
                    {
                        findings.Add(Finding(LeakageKind.OverlappingValidationFolds, BiasedEnsemble, "Error", both, [held[a].Folder, held[b].Folder],
                            $"{both.Length} participant(s) are held out by both {Path.GetFileName(held[a].Folder)} and {Path.GetFileName(held[b].Folder)}"));
                    }
                }
            }
            var neverHeld = everyone.Except(held.SelectMany(h => h.Participants)).Order(StringComparer.Ordinal).ToArray();
            if (neverHeld.Length > 0)
            {
                findings.Add(Finding(LeakageKind.IncompleteFoldCoverage, BiasedEnsemble, "Error", neverHeld, [folder],
                    $"{neverHeld.Length} participant(s) of the k-fold data are in no fold's {subsetName} set"));
            }
            var testAbove = AncestorTestSplit(folder);
            if (testAbove is null)
            {
                findings.Add(Finding(LeakageKind.NoIndependentTestSet, NoTestSet, "Warning", [], [folder],
                    $"the cross-validation in '{folder}' has no hold-out test split above it: its {subsetName} results select models and must not be reported as test results"));
            }
            else
            {
                var test = Participants(SubsetFiles(testAbove, "test"));
                var inside = everyone.Intersect(test).Order(StringComparer.Ordinal).ToArray();
                if (inside.Length > 0)
                {
                    findings.Add(Finding(LeakageKind.TestParticipantInTraining, NoTestSet, "Error", inside, [testAbove, folder],
                        $"{inside.Length} test participant(s) of '{testAbove}' are in the cross-validation data of '{folder}'"));
                }
            }
        }
        if (splitFolders.Count + kfoldFolders.Count == 0)
        {
            findings.Add(Finding(LeakageKind.NothingExamined, NoTestSet, "Error", [], [root],
                $"nothing was examined: '{root}' holds no split.json or kfold.json. Expected a folder made by New-ClinicaDLSplit or ClinicaDL " +
                "(split/ with split.json, train.tsv and test_baseline.tsv, or <k>_fold/ with kfold.json and split-<i>/ folders), or one of its folds"));
        }
        return new LeakageAudit { Path = root, Findings = new(findings), SplitFoldersChecked = splitFolders.Count + kfoldFolders.Count, FilesChecked = files };
    }

    /// <summary>Checks a candidate data TSV against every participant a MAPS saw in training or pre-training.</summary>
    public static LeakageAudit AuditMaps(string mapsPath, string dataPath)
    {
        var seenPath = Path.Combine(Path.GetFullPath(mapsPath), "groups", "train+validation.tsv");
        if (!File.Exists(seenPath))
        {
            throw new FileNotFoundException($"'{mapsPath}' is not a MAPS: it has no groups/train+validation.tsv.", seenPath);
        }
        var seen = Participants([seenPath]);
        var findings = new List<LeakageFinding>();
        var duplicates = new List<LeakageFinding>();
        CheckDuplicates(Path.GetFullPath(dataPath), duplicates);
        findings.AddRange(duplicates);
        var overlap = Participants([dataPath]).Intersect(seen).Order(StringComparer.Ordinal).ToArray();
        if (overlap.Length > 0)
        {
            findings.Add(Finding(LeakageKind.SeenInTraining, $"{NoTestSet}; biased transfer learning", "Error", overlap, [Path.GetFullPath(dataPath), seenPath],
                $"{overlap.Length} participant(s) of '{dataPath}' were seen in training or pre-training of this MAPS"));
        }
        return new LeakageAudit { Path = Path.GetFullPath(mapsPath), Findings = new(findings), SplitFoldersChecked = 0, FilesChecked = 2 };
    }

    /// <summary>
    /// The checks that apply to what a training reads: in each split folder, its train and validation files
    /// (sessions listed twice, participants on both sides), and the test participants of a hold-out split above.
    /// </summary>
    public static LeakageAudit AuditTraining(IReadOnlyList<string> splitFolders, string trainFile, string validationFile)
    {
        var findings = new List<LeakageFinding>();
        var files = 0;
        foreach (var folder in splitFolders.Select(Path.GetFullPath))
        {
            var train = new List<string> { Path.Combine(folder, trainFile) };
            files += CheckSides(folder, train, [Path.Combine(folder, validationFile)], "validation", findings);
            if (AncestorTestSplit(folder) is { } testAbove && testAbove != folder)
            {
                var inside = Participants(train).Intersect(Participants(SubsetFiles(testAbove, "test"))).Order(StringComparer.Ordinal).ToArray();
                if (inside.Length > 0)
                {
                    findings.Add(Finding(LeakageKind.TestParticipantInTraining, NoTestSet, "Error", inside, [Path.Combine(testAbove, "test_baseline.tsv"), .. train],
                        $"{inside.Length} test participant(s) of '{testAbove}' are in the training data of '{folder}'"));
                }
            }
        }
        return new LeakageAudit { Path = splitFolders.Count == 1 ? Path.GetFullPath(splitFolders[0]) : Path.GetFullPath(Path.Combine(splitFolders[0], "..")),
            Findings = new(findings), SplitFoldersChecked = splitFolders.Count, FilesChecked = files };
    }

    /// <summary>
    /// The checks semi-supervised domain adaptation adds to <see cref="AuditTraining"/>: the target split folders'
    /// own, no target participant (labelled or unlabelled) among the test participants of a hold-out split above the
    /// source's or the target's split folders, no source training participant in the same split's target validation
    /// set, and no unlabelled target participant in a target validation set (its images shape the features the model
    /// is then validated on). The source and target split folders are given in the same split order.
    /// </summary>
    public static LeakageAudit AuditDomainAdaptation(IReadOnlyList<string> sourceSplitFolders, IReadOnlyList<string> targetSplitFolders, string trainFile,
        string validationFile, string unlabeledFile)
    {
        var audit = AuditTraining(targetSplitFolders, trainFile, validationFile);
        var findings = audit.Findings.ToList();
        var targetFolders = targetSplitFolders.Select(Path.GetFullPath).ToList();
        var labeledFiles = targetFolders.SelectMany(f => new[] { Path.Combine(f, trainFile), Path.Combine(f, validationFile) }).ToList();
        var target = Participants([.. labeledFiles, unlabeledFile]);
        var testSplits = sourceSplitFolders.Select(Path.GetFullPath).Concat(targetFolders)
            .Select(f => AncestorTestSplit(f) is { } above && above != f ? above : null).OfType<string>().Distinct(StringComparer.Ordinal);
        foreach (var testSplit in testSplits)
        {
            var testFiles = SubsetFiles(testSplit, "test");
            var inside = target.Intersect(Participants(testFiles)).Order(StringComparer.Ordinal).ToArray();
            if (inside.Length > 0)
            {
                findings.Add(Finding(LeakageKind.TestParticipantInTraining, NoTestSet, "Error", inside, [.. testFiles, .. labeledFiles, unlabeledFile],
                    $"{inside.Length} test participant(s) of '{testSplit}' are in the target data domain adaptation trains on (tsv_target_lab, tsv_target_unlab)"));
            }
        }
        var validationFiles = targetFolders.Select(f => Path.Combine(f, validationFile)).ToList();
        // The same cohort scanned twice (one scanner's images to another's): a participant trained on in the source
        // domain must not choose the models in the target validation set of the same split.
        foreach (var (source, targetValidation) in sourceSplitFolders.Select(Path.GetFullPath).Zip(validationFiles))
        {
            var sourceTrain = Path.Combine(source, trainFile);
            var crossed = Participants([sourceTrain]).Intersect(Participants([targetValidation])).Order(StringComparer.Ordinal).ToArray();
            if (crossed.Length > 0)
            {
                findings.Add(Finding(LeakageKind.ParticipantOnBothSides, BiasedSplit, "Error", crossed, [sourceTrain, targetValidation],
                    $"{crossed.Length} participant(s) of the source training data '{sourceTrain}' are in the target validation data '{targetValidation}' the models are chosen on"));
            }
        }
        var unlabeledInValidation = Participants([unlabeledFile]).Intersect(Participants(validationFiles)).Order(StringComparer.Ordinal).ToArray();
        if (unlabeledInValidation.Length > 0)
        {
            findings.Add(Finding(LeakageKind.ParticipantOnBothSides, BiasedSplit, "Error", unlabeledInValidation, [unlabeledFile, .. validationFiles],
                $"{unlabeledInValidation.Length} participant(s) of the unlabelled target data '{unlabeledFile}' are in the target validation data the models are chosen on"));
        }
        return new LeakageAudit { Path = audit.Path, Findings = new(findings), SplitFoldersChecked = audit.SplitFoldersChecked, FilesChecked = audit.FilesChecked + 1 };
    }

    /// <summary>Train against subset of one split folder, plus duplicates in each file; returns the number of files read.</summary>
    private static int CheckSides(string folder, string subsetName, List<LeakageFinding> findings) =>
        CheckSides(folder, TrainFiles(folder), SubsetFiles(folder, subsetName), subsetName, findings);

    private static int CheckSides(string folder, List<string> trainFiles, List<string> subsetFiles, string subsetName, List<LeakageFinding> findings)
    {
        foreach (var file in trainFiles.Concat(subsetFiles))
        {
            CheckDuplicates(file, findings);
        }
        var trainSessions = Sessions(trainFiles);
        var subsetSessions = Sessions(subsetFiles);
        var sameSession = subsetSessions.Intersect(trainSessions).Select(s => s.Participant).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (sameSession.Length > 0)
        {
            findings.Add(Finding(LeakageKind.ParticipantOnBothSides, BiasedSplit, "Error", sameSession, [.. trainFiles, .. subsetFiles],
                $"{sameSession.Length} participant(s) have the same session in train and {subsetName} of '{folder}'"));
        }
        var otherSession = subsetSessions.Select(s => s.Participant).Intersect(trainSessions.Select(s => s.Participant))
            .Except(sameSession).Order(StringComparer.Ordinal).ToArray();
        if (otherSession.Length > 0)
        {
            findings.Add(Finding(LeakageKind.LaterSessionHeldOut, BiasedSplit, "Error", otherSession, [.. trainFiles, .. subsetFiles],
                $"{otherSession.Length} training participant(s) of '{folder}' have another session in {subsetName}"));
        }
        return trainFiles.Count + subsetFiles.Count;
    }

    private static void CheckDuplicates(string file, List<LeakageFinding> findings)
    {
        var table = TsvTable.Read(file);
        table.Require("participant_id", "session_id");
        if (table.Rows.Count == 0)
        {
            findings.Add(Finding(LeakageKind.EmptySplitFile, NoTestSet, "Error", [], [file],
                $"'{file}' lists no session (a header only): a split file that holds nobody cannot be checked, and trains or tests on nothing"));
        }
        var duplicated = table.Rows.GroupBy(r => (r[table.IndexOf("participant_id")], r[table.IndexOf("session_id")]))
            .Where(g => g.Count() > 1).Select(g => g.Key.Item1 ?? "").Distinct().Order(StringComparer.Ordinal).ToArray();
        if (duplicated.Length > 0)
        {
            findings.Add(Finding(LeakageKind.DuplicateRows, LateSplit, "Error", duplicated, [file],
                $"{duplicated.Length} participant(s) have a session listed more than once in '{file}'"));
        }
    }

    private static List<string> TrainFiles(string folder) =>
        new[] { "train.tsv", "train_baseline.tsv" }.Select(f => Path.Combine(folder, f)).Where(File.Exists).ToList();

    private static List<string> SubsetFiles(string folder, string subsetName) =>
        new[] { $"{subsetName}_baseline.tsv", $"{subsetName}.tsv" }.Select(f => Path.Combine(folder, f)).Where(File.Exists).ToList();

    private static HashSet<(string Participant, string Session)> Sessions(IEnumerable<string> files)
    {
        var sessions = new HashSet<(string, string)>();
        foreach (var file in files)
        {
            var table = TsvTable.Read(file);
            table.Require("participant_id", "session_id");
            foreach (var row in table.Rows)
            {
                sessions.Add((row[table.IndexOf("participant_id")] ?? "", row[table.IndexOf("session_id")] ?? ""));
            }
        }
        return sessions;
    }

    private static HashSet<string> Participants(IEnumerable<string> files)
    {
        var participants = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var table = TsvTable.Read(file);
            table.Require("participant_id");
            participants.UnionWith(table.Rows.Select(r => r[table.IndexOf("participant_id")]).OfType<string>());
        }
        return participants;
    }

    private static string SubsetName(string jsonPath, string fallback)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(jsonPath));
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("subset_name", out var name)
                && name.ValueKind == JsonValueKind.String ? name.GetString()! : fallback;
        }
        catch (JsonException error)
        {
            throw new SplitException($"'{jsonPath}' is not the JSON a split folder describes itself with ({error.Message}); write the split again with New-ClinicaDLSplit.");
        }
    }

    /// <summary>The nearest folder above (or at) a k-fold folder holding a hold-out split whose subset is "test".</summary>
    private static string? AncestorTestSplit(string folder)
    {
        for (var current = Path.GetDirectoryName(folder); current is not null; current = Path.GetDirectoryName(current))
        {
            var json = Path.Combine(current, "split.json");
            if (File.Exists(json) && SubsetName(json, "test") == "test")
            {
                return current;
            }
        }
        return null;
    }

    private static LeakageFinding Finding(LeakageKind kind, string scenario, string severity, string[] participants, string[] files, string message) =>
        new() { Kind = kind.ToString(), Scenario = scenario, Severity = severity, Participants = new(participants), Files = new(files), Message = message + "." };
}
