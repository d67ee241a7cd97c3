using System.Text.Json;
using ClinicaDL.Core.Datasets;

namespace ClinicaDL.Core.Tests.Datasets;

/// <summary>Every dataset of ../shared/testdata/bids against its expected listing.</summary>
public sealed class BidsDatasetTests
{
    public static IEnumerable<object[]> Datasets() => TestData.Root is null
        ? [["(testdata absent)"]]
        : Directory.GetFiles(TestData.Path("bids"), "*.expected.json").Order(StringComparer.Ordinal).Select(f => new object[] { Path.GetFileName(f)[..^".expected.json".Length] });

    [SkippableTheory]
    [MemberData(nameof(Datasets))]
    public void Subjects_sessions_and_T1w_pairs_are_the_expected_ones(string dataset)
    {
        var expected = Expect(dataset);
        var scan = BidsDataset.Scan(TestData.Path("bids", dataset));

        var subjects = scan.Sessions.Select(s => s.ParticipantId).Distinct().ToList();
        Assert.Equal(Strings(expected.GetProperty("subjects")), subjects);
        Assert.Equal(expected.GetProperty("has_sessions").GetBoolean(), scan.HasSessions);
        if (scan.HasSessions)
        {
            foreach (var subject in expected.GetProperty("sessions").EnumerateObject())
            {
                Assert.Equal(Strings(subject.Value), scan.Sessions.Where(s => s.ParticipantId == subject.Name).Select(s => s.SessionId!).ToList());
            }
        }
        else
        {
            Assert.All(scan.Sessions, s => Assert.Null(s.SessionId));
        }
        var t1wPairs = expected.GetProperty("t1w_pairs").EnumerateArray()
            .Select(p => (p[0].GetString()!, p[1].ValueKind == JsonValueKind.Null ? null : p[1].GetString())).ToList();
        var found = scan.Sessions.Where(s => s.Images.Any(i => i.Suffix == "T1w" && i.Datatype == "anat")).Select(s => (s.ParticipantId, s.SessionId)).ToList();
        Assert.Equal(t1wPairs, found);
        var t1wFiles = Strings(expected.GetProperty("t1w_images").EnumerateArray().Select(i => i.GetProperty("path")));
        Assert.Equal(t1wFiles, scan.Sessions.SelectMany(s => s.Images).Where(i => i.Suffix == "T1w")
            .Select(i => Path.GetRelativePath(scan.DatasetPath, i.Path).Replace('\\', '/')).ToList());
    }

    [SkippableTheory]
    [MemberData(nameof(Datasets))]
    public void Participants_columns_and_mismatches_are_reported(string dataset)
    {
        var expected = Expect(dataset);
        var scan = BidsDataset.Scan(TestData.Path("bids", dataset));

        var present = expected.GetProperty("participants_tsv_present").GetBoolean();
        Assert.Equal(present ? Strings(expected.GetProperty("participants_tsv_columns")) : [], scan.ParticipantsColumns);
        var notListed = Optional(expected, "subjects_not_in_participants_tsv");
        var issue = scan.Issues.SingleOrDefault(i => i.Kind == DatasetIssueKind.SubjectNotInParticipantsTsv);
        Assert.Equal(present && notListed.Count > 0, issue is not null);
        var orphans = Optional(expected, "participants_tsv_ids_without_folder");
        var orphanIssue = scan.Issues.SingleOrDefault(i => i.Kind == DatasetIssueKind.ParticipantWithoutFolder);
        Assert.Equal(orphans.Count > 0, orphanIssue is not null);
        Assert.All(orphans, id => Assert.Contains(id, orphanIssue!.Message));
        if (present)
        {
            // Every participants.tsv column but the key is an attribute of every listed session.
            var columns = scan.ParticipantsColumns.Where(c => c != "participant_id").ToList();
            Assert.All(scan.Sessions, s => Assert.All(columns, c => Assert.True(s.Attributes.ContainsKey(c))));
        }
        var emptyFiles = expected.GetProperty("t1w_images").EnumerateArray().Count(i => i.GetProperty("size_bytes").GetInt64() == 0);
        if (emptyFiles > 0)
        {
            Assert.Contains(scan.Issues, i => i.Kind == DatasetIssueKind.EmptyImageFile);
        }
    }

    [SkippableFact]
    public void Numeric_columns_are_typed_and_na_is_null()
    {
        var scan = BidsDataset.Scan(TestData.Path("bids", "ds001"));
        var first = scan.Sessions[0];
        Assert.IsType<double>(first.Attributes["age"]);
        Assert.IsType<string>(first.Attributes["sex"]);
    }

    [SkippableFact]
    public void Sessions_tsv_columns_join_their_session()
    {
        var scan = BidsDataset.Scan(TestData.Path("bids", "7t_trt"));
        var sessionsTable = Core.Tables.TsvTable.Read(TestData.Path("bids", "7t_trt", "sub-01", "sub-01_sessions.tsv"));
        var extra = sessionsTable.Columns.Where(c => c != "session_id").ToList();
        Assert.NotEmpty(extra);
        var session = scan.Sessions.First(s => s.ParticipantId == "sub-01" && s.SessionId == "ses-1");
        Assert.All(extra, c => Assert.True(session.Attributes.ContainsKey(c)));
    }

    [SkippableFact]
    public void Modality_filter_keeps_sessions_having_that_image_and_only_those_images()
    {
        var scan = BidsDataset.Scan(TestData.Path("bids", "7t_trt"), ["T1w"]);
        Assert.Equal(22, scan.Sessions.Count);
        Assert.All(scan.Sessions, s => Assert.All(s.Images, i => Assert.Equal("T1w", i.Suffix)));
    }

    [Fact]
    public void Bidsignore_derivatives_and_missing_description_are_handled()
    {
        var root = Directory.CreateTempSubdirectory("clinicadl-bids-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "sub-01", "anat"));
            Directory.CreateDirectory(Path.Combine(root, "sub-02", "anat"));
            Directory.CreateDirectory(Path.Combine(root, "derivatives", "sub-03", "anat"));
            Directory.CreateDirectory(Path.Combine(root, "sub-04", "anat"));
            File.WriteAllText(Path.Combine(root, "sub-01", "anat", "sub-01_T1w.nii.gz"), "x");
            File.WriteAllText(Path.Combine(root, "sub-01", "anat", "sub-01_acq-fast_T1w.nii.gz"), "x");
            File.WriteAllText(Path.Combine(root, "sub-02", "anat", "sub-02_T1w.nii"), "");
            File.WriteAllText(Path.Combine(root, "participants.tsv"), "participant_id\tage\tsex\r\nsub-01\t70.5\tF\r\nsub-02\tn/a\tM");
            File.WriteAllText(Path.Combine(root, ".bidsignore"), "*_acq-fast_*\n");

            var scan = BidsDataset.Scan(root);

            Assert.Equal(["sub-01", "sub-02", "sub-04"], scan.Sessions.Select(s => s.ParticipantId));
            // sub-04 is not in participants.tsv: its columns are missing, never another participant's values.
            Assert.Null(scan.Sessions[2].Attributes["age"]);
            Assert.Null(scan.Sessions[2].Attributes["sex"]);
            Assert.Single(scan.Sessions[0].Images);
            Assert.Equal(70.5, scan.Sessions[0].Attributes["age"]);
            Assert.Null(scan.Sessions[1].Attributes["age"]);
            Assert.Equal("M", scan.Sessions[1].Attributes["sex"]);
            Assert.Contains(scan.Issues, i => i.Kind == DatasetIssueKind.MissingDatasetDescription);
            Assert.Contains(scan.Issues, i => i.Kind == DatasetIssueKind.EmptyImageFile && i.Paths.Single().EndsWith("sub-02_T1w.nii"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static JsonElement Expect(string dataset)
    {
        Skip.If(TestData.Root is null, TestData.SkipMessage);
        return JsonDocument.Parse(File.ReadAllText(TestData.Path("bids", dataset + ".expected.json"))).RootElement;
    }

    private static List<string> Optional(JsonElement record, string name) =>
        record.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? Strings(value) : [];

    private static List<string> Strings(JsonElement array) => Strings(array.EnumerateArray());

    private static List<string> Strings(IEnumerable<JsonElement> elements) => elements.Select(e => e.GetString()!).ToList();
}
