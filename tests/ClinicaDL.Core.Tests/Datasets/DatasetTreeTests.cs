using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Splits;

namespace ClinicaDL.Core.Tests.Datasets;

/// <summary>
/// Dataset trees with file-system traps (issue 13, class 11): folders linking to themselves, sessions linking to
/// other sessions, unreadable subjects, FIFOs named like images. Every walk ends, lists each image once and
/// reports the trouble instead of stopping.
/// </summary>
public sealed class DatasetTreeTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private const string T1Linear = "_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz";
    private readonly string _root = Directory.CreateTempSubdirectory("clinicadl-tree-").FullName;

    public void Dispose()
    {
        foreach (var folder in Directory.EnumerateDirectories(_root, "*", SearchOption.TopDirectoryOnly))
        {
            RestoreAccess(folder);
        }
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Two self-links made the recursive search endless while its memory grew past 2.6 GB.</summary>
    [SkippableFact]
    public async Task A_caps_session_with_self_links_is_searched_once_and_the_links_are_named()
    {
        SkipWithoutSymlinks();
        var caps = NewCaps(("sub-01", "ses-M000"), ("sub-02", "ses-M000"));
        var t1 = Path.Combine(caps, "subjects", "sub-01", "ses-M000", "t1_linear");
        Directory.CreateSymbolicLink(Path.Combine(t1, "again"), ".");
        Directory.CreateSymbolicLink(Path.Combine(t1, "once-more"), "..");
        var notes = new List<string>();
        var images = await Within(() => CapsDataset.Find(caps, new CapsQuery { Preprocessing = "t1-linear" }, notes));
        Assert.Equal(["sub-01", "sub-02"], images.Select(i => i.ParticipantId));
        Assert.Equal(2, notes.Count(n => n.Contains("links to a folder")));
        Assert.Contains(notes, n => n.Contains(Path.Combine(t1, "again")));
    }

    [SkippableFact]
    public async Task A_custom_search_does_not_enter_linked_folders()
    {
        SkipWithoutSymlinks();
        var caps = NewCaps(("sub-01", "ses-M000"));
        var session = Path.Combine(caps, "subjects", "sub-01", "ses-M000");
        Directory.CreateSymbolicLink(Path.Combine(session, "loop"), session);
        var images = await Within(() => CapsDataset.Find(caps, new CapsQuery { Preprocessing = "custom", CustomSuffix = "_T1w.nii.gz" }));
        Assert.Equal(Path.Combine(session, "t1_linear", "sub-01_ses-M000" + T1Linear), Assert.Single(images).Path);
    }

    /// <summary>What a CAPS holds is listed, for a query that found nothing, without entering linked folders.</summary>
    [SkippableFact]
    public async Task The_kinds_of_image_a_caps_has_are_listed_without_entering_linked_folders()
    {
        SkipWithoutSymlinks();
        var caps = NewCaps(("sub-01", "ses-M000"));
        var session = Path.Combine(caps, "subjects", "sub-01", "ses-M000");
        Directory.CreateSymbolicLink(Path.Combine(session, "loop"), session);
        var missing = await Within(() => CapsDataset.NoImage(caps, new CapsQuery { Preprocessing = "flair-linear" }));
        Assert.Equal(["t1_linear/*" + T1Linear + " (1 sessions)"], missing.Available);
    }

    /// <summary>
    /// The class, not only its instances: HashCode.Combine is salted per process, so a seed derived from it gives
    /// other bits in every run (the registration's sample and batches did). A new use in the engine fails here.
    /// </summary>
    [Fact]
    public void No_engine_code_derives_anything_from_a_per_process_hash()
    {
        var offenders = EngineSource.Files(EngineSource.Engine)
            .Where(f => File.ReadAllText(f).Contains("HashCode.Combine", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(offenders);
    }

    /// <summary>
    /// The class, not only its instances: a recursive .NET enumeration follows folder links, so every walk of a
    /// user's tree goes through FileTree. A new SearchOption.AllDirectories in the engine fails here.
    /// </summary>
    [Fact]
    public void No_engine_code_walks_a_tree_with_a_link_following_enumeration()
    {
        var engine = EngineSource.Engine;
        var offenders = Directory.EnumerateFiles(engine, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("SearchOption.AllDirectories", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(engine, f)).ToList();
        Assert.Empty(offenders);
    }

    /// <summary>A session linked to another became a second session with the same image.</summary>
    [SkippableFact]
    public void A_caps_session_linked_to_another_is_left_out_and_named()
    {
        SkipWithoutSymlinks();
        var caps = NewCaps(("sub-01", "ses-M000"));
        var subject = Path.Combine(caps, "subjects", "sub-01");
        Directory.CreateSymbolicLink(Path.Combine(subject, "ses-M012"), "ses-M000");
        var notes = new List<string>();
        var image = Assert.Single(CapsDataset.Find(caps, new CapsQuery { Preprocessing = "t1-linear" }, notes));
        Assert.Equal("ses-M000", image.SessionId);
        Assert.Contains(notes, n => n.Contains(Path.Combine(subject, "ses-M012")) && n.Contains("same folder"));
    }

    [SkippableFact]
    public void A_caps_subject_linked_to_another_adds_no_copy_of_its_sessions()
    {
        SkipWithoutSymlinks();
        var caps = NewCaps(("sub-01", "ses-M000"));
        Directory.CreateSymbolicLink(Path.Combine(caps, "subjects", "sub-02"), "sub-01");
        var notes = new List<string>();
        Assert.Equal("sub-01", Assert.Single(CapsDataset.Find(caps, new CapsQuery { Preprocessing = "t1-linear" }, notes)).ParticipantId);
        Assert.Single(notes);
    }

    [SkippableFact]
    public void An_unreadable_caps_subject_is_named_and_the_others_are_listed()
    {
        SkipUnlessPermissionsBind();
        var caps = NewCaps(("sub-01", "ses-M000"), ("sub-02", "ses-M000"), ("sub-03", "ses-M000"));
        var locked = Path.Combine(caps, "subjects", "sub-02");
        Lock(locked);
        var notes = new List<string>();
        var images = CapsDataset.Find(caps, new CapsQuery { Preprocessing = "t1-linear" }, notes);
        Assert.Equal(["sub-01", "sub-03"], images.Select(i => i.ParticipantId));
        Assert.Contains(notes, n => n.Contains(locked) && n.Contains("could not be read"));
    }

    /// <summary>A split tree with two self-links made Test-ClinicaDLDataLeakage run forever.</summary>
    [SkippableFact]
    public async Task A_split_tree_with_self_links_is_audited_once()
    {
        SkipWithoutSymlinks();
        var split = Directory.CreateDirectory(Path.Combine(_root, "splits", "split")).FullName;
        File.WriteAllText(Path.Combine(split, "split.json"), "{\"subset_name\": \"test\"}");
        File.WriteAllText(Path.Combine(split, "train.tsv"), "participant_id\tsession_id\nsub-01\tses-M000\n");
        File.WriteAllText(Path.Combine(split, "test_baseline.tsv"), "participant_id\tsession_id\nsub-02\tses-M000\n");
        Directory.CreateSymbolicLink(Path.Combine(split, "self"), ".");
        Directory.CreateSymbolicLink(Path.Combine(split, "parent"), "..");
        var audit = await Within(() => DataLeakageAuditor.AuditSplitTree(Path.Combine(_root, "splits")));
        Assert.Equal(1, audit.SplitFoldersChecked);
        Assert.True(audit.Passed);
        // A fold given alone is traced back to its tree by the same walk.
        Assert.Equal(Path.Combine(_root, "splits"), await Within(() => DataLeakageAuditor.AuditRoot(Path.Combine(_root, "splits"))));
    }

    [SkippableFact]
    public void A_bids_session_linked_to_another_is_reported_and_listed_once()
    {
        SkipWithoutSymlinks();
        var bids = NewBids("sub-01", "sub-02");
        var subject = Path.Combine(bids, "sub-01");
        Directory.CreateSymbolicLink(Path.Combine(subject, "ses-M012"), "ses-M000");
        var scan = BidsDataset.Scan(bids);
        Assert.Equal([("sub-01", "ses-M000"), ("sub-02", "ses-M000")], scan.Sessions.Select(s => (s.ParticipantId, s.SessionId!)));
        var issue = Assert.Single(scan.Issues, i => i.Kind == DatasetIssueKind.DuplicateFolder);
        Assert.Equal([Path.Combine(subject, "ses-M012")], issue.Paths);
    }

    /// <summary>An unreadable subject folder stopped the whole import (0 of 32 sessions).</summary>
    [SkippableFact]
    public void An_unreadable_bids_subject_is_reported_and_the_others_are_listed()
    {
        SkipUnlessPermissionsBind();
        var bids = NewBids("sub-01", "sub-02", "sub-03");
        var locked = Path.Combine(bids, "sub-02");
        Lock(locked);
        var scan = BidsDataset.Scan(bids);
        Assert.Equal(["sub-01", "sub-03"], scan.Sessions.Select(s => s.ParticipantId));
        Assert.Equal([locked], Assert.Single(scan.Issues, i => i.Kind == DatasetIssueKind.UnreadableSubject).Paths);
    }

    [Fact]
    public void A_bids_subject_with_an_invalid_sessions_tsv_is_reported_and_the_others_are_listed()
    {
        var bids = NewBids("sub-01", "sub-02", "sub-03");
        var sessionsTsv = Path.Combine(bids, "sub-02", "sub-02_sessions.tsv");
        File.WriteAllText(sessionsTsv, "session_id\tage\tage\nses-M000\t70\t71\n");
        var scan = BidsDataset.Scan(bids);
        Assert.Equal(["sub-01", "sub-03"], scan.Sessions.Select(s => s.ParticipantId));
        var issue = Assert.Single(scan.Issues, i => i.Kind == DatasetIssueKind.UnreadableSubject);
        Assert.Contains("sub-02_sessions.tsv", issue.Message);
        Assert.Contains("'age'", issue.Message);
    }

    [SkippableFact]
    public void A_fifo_named_like_a_bids_image_is_reported_without_being_opened()
    {
        Skip.If(OperatingSystem.IsWindows(), "named pipes are not files on Windows");
        var bids = NewBids("sub-01");
        var fifo = Path.Combine(bids, "sub-01", "ses-M000", "anat", "sub-01_ses-M000_FLAIR.nii.gz");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
        }
        var scan = BidsDataset.Scan(bids);
        var issue = Assert.Single(scan.Issues, i => i.Kind == DatasetIssueKind.EmptyImageFile);
        Assert.Equal([fifo], issue.Paths);
        Assert.Contains("not regular files", issue.Message);
    }

    [SkippableFact]
    public void A_linked_bids_image_has_the_size_of_its_target()
    {
        SkipWithoutSymlinks();
        var bids = NewBids("sub-01");
        var anat = Path.Combine(bids, "sub-01", "ses-M000", "anat");
        File.CreateSymbolicLink(Path.Combine(anat, "sub-01_ses-M000_FLAIR.nii.gz"), "sub-01_ses-M000_T1w.nii.gz");
        var images = Assert.Single(BidsDataset.Scan(bids).Sessions).Images;
        Assert.Equal(new FileInfo(Path.Combine(anat, "sub-01_ses-M000_T1w.nii.gz")).Length, Assert.Single(images, i => i.Suffix == "FLAIR").SizeBytes);
    }

    private string NewCaps(params (string Participant, string Session)[] sessions)
    {
        var caps = Path.Combine(_root, "caps");
        foreach (var (participant, session) in sessions)
        {
            var folder = Directory.CreateDirectory(Path.Combine(caps, "subjects", participant, session, "t1_linear")).FullName;
            WriteImage(Path.Combine(folder, $"{participant}_{session}{T1Linear}"));
        }
        return caps;
    }

    private string NewBids(params string[] participants)
    {
        var bids = Directory.CreateDirectory(Path.Combine(_root, "bids")).FullName;
        File.WriteAllText(Path.Combine(bids, "dataset_description.json"), "{\"Name\": \"traps\", \"BIDSVersion\": \"1.8.0\"}");
        File.WriteAllText(Path.Combine(bids, "participants.tsv"), "participant_id\n" + string.Concat(participants.Select(p => p + "\n")));
        foreach (var participant in participants)
        {
            var anat = Directory.CreateDirectory(Path.Combine(bids, participant, "ses-M000", "anat")).FullName;
            WriteImage(Path.Combine(anat, $"{participant}_ses-M000_T1w.nii.gz"));
        }
        return bids;
    }

    private static void WriteImage(string path) =>
        NiftiWriter.Write(path, [2, 2, 2], new float[8], AffineMatrix.Identity);

    private static async Task<T> Within<T>(Func<T> walk)
    {
        var task = Task.Run(walk);
        Assert.True(await Task.WhenAny(task, Task.Delay(Patience)) == task, $"the walk did not end within {Patience.TotalSeconds} s");
        return await task;
    }

    private static void SkipWithoutSymlinks() =>
        Skip.If(OperatingSystem.IsWindows(), "creating symbolic links needs a privilege on Windows");

    private static void SkipUnlessPermissionsBind()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix permissions only");
        Skip.If(Environment.UserName == "root", "permissions do not bind root, so a folder cannot be made unreadable here");
    }

    private static void Lock(string folder)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, UnixFileMode.None);
        }
    }

    private static void RestoreAccess(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        foreach (var child in new DirectoryInfo(folder).EnumerateDirectories("*", new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = true }))
        {
            if (child.LinkTarget is null)
            {
                child.UnixFileMode |= UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
                RestoreAccess(child.FullName);
            }
        }
    }
}
