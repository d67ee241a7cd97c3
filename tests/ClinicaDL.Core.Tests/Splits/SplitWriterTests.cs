using System.Text.Json;
using ClinicaDL.Core.Splits;
using ClinicaDL.Core.Tables;

namespace ClinicaDL.Core.Tests.Splits;

public sealed class SplitWriterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-split-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static IEnumerable<object[]> Seeds() => Enumerable.Range(0, 50).Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Hold_out_and_k_fold_keep_participants_apart_and_balanced(int seed)
    {
        var labels = LabelTables.Cohort(300, seed: 7);
        var parent = Path.Combine(_folder, $"seed{seed}");

        var split = SplitWriter.HoldOut(labels, parent, new HoldOutOptions { TestSize = 0.2, Seed = seed });
        var folds = SplitWriter.KFold(TsvTable.Read(split.TrainPath), split.Path, new KFoldOptions { Folds = 5, Seed = seed });

        var train = Read(split.TrainPath);
        var test = Read(Path.Combine(split.Path, "test_baseline.tsv"));
        Assert.Empty(Ids(train).Intersect(Ids(test)));
        Assert.Equal(300, Ids(train).Union(Ids(test)).Count());
        Assert.Equal(60, test.Rows.Count);
        Assert.True(split.PAge >= 0.8 && split.PSex >= 0.8, $"p(age) {split.PAge}, p(sex) {split.PSex}");
        foreach (var (diagnosis, share) in new[] { ("AD", 0.3), ("CN", 0.4), ("MCI", 0.3) })
        {
            var count = test.Rows.Count(r => r[4] == diagnosis);
            Assert.InRange(count, share * 60 - 1, share * 60 + 1);
        }
        // Every training participant is held out by exactly one fold.
        var heldOut = folds.SelectMany(f => Ids(Read(f.SubsetPath))).ToList();
        Assert.Equal(heldOut.Count, heldOut.Distinct().Count());
        Assert.Equal(Ids(train).Order(), heldOut.Order());
        Assert.All(folds, f => Assert.Empty(Ids(Read(f.TrainPath)).Intersect(Ids(Read(f.SubsetPath)))));
        Assert.True(DataLeakageAuditor.AuditSplitTree(parent).Passed);
    }

    [Fact]
    public void The_same_seed_writes_the_same_bytes_and_another_seed_differs()
    {
        var labels = LabelTables.Cohort(120);
        var first = SplitWriter.HoldOut(labels, Path.Combine(_folder, "a"), new HoldOutOptions { TestSize = 0.25, Seed = 5 });
        var again = SplitWriter.HoldOut(labels, Path.Combine(_folder, "b"), new HoldOutOptions { TestSize = 0.25, Seed = 5 });
        var other = SplitWriter.HoldOut(labels, Path.Combine(_folder, "c"), new HoldOutOptions { TestSize = 0.25, Seed = 6 });

        foreach (var file in new[] { "train.tsv", "train_baseline.tsv", "test_baseline.tsv", "split.json" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first.Path, file)), File.ReadAllBytes(Path.Combine(again.Path, file)));
        }
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(first.Path, "test_baseline.tsv")), File.ReadAllBytes(Path.Combine(other.Path, "test_baseline.tsv")));
    }

    [Fact]
    public void Files_names_columns_and_row_order_are_clinicadls()
    {
        var labels = new TsvTable(["participant_id", "session_id", "age", "sex", "diagnosis"],
        [
            ["sub-03", "ses-M012", "71", "F", "AD"], ["sub-01", "ses-M000", "70", "M", "CN"], ["sub-03", "ses-M000", "70", "F", "AD"],
            ["sub-02", "ses-M000", "65", "F", "CN"], ["sub-04", "ses-M000", "80", "M", "AD"], ["sub-01", "ses-M006", "70.5", "M", "CN"],
            ["sub-05", "ses-M000", "66", "M", "CN"], ["sub-06", "ses-M000", "75", "F", "AD"],
        ]);

        var split = SplitWriter.HoldOut(labels, _folder, new HoldOutOptions { TestSize = 2, Seed = 0, IgnoreDemographics = true, ValidLongitudinal = true });
        var again = SplitWriter.HoldOut(labels, _folder, new HoldOutOptions { TestSize = 2, Seed = 0, IgnoreDemographics = true });

        Assert.Equal("split", split.Name);
        Assert.Equal("split_2", again.Name);
        Assert.Equal(["split.json", "test.tsv", "test_baseline.tsv", "train.tsv", "train_baseline.tsv"],
            Directory.GetFiles(split.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var train = Read(split.TrainPath);
        Assert.Equal(labels.Columns, train.Columns);
        var keys = train.Rows.Select(r => (r[0], r[1])).ToList();
        Assert.Equal(keys.OrderBy(k => k.Item1, StringComparer.Ordinal).ThenBy(k => k.Item2, StringComparer.Ordinal), keys);
        var baseline = Read(Path.Combine(split.Path, "train_baseline.tsv"));
        Assert.All(baseline.Rows, r => Assert.Equal("ses-M000", r[1]));
        Assert.Equal(2, Read(split.SubsetPath).Rows.Count);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(split.Path, "split.json")));
        foreach (var key in new[] { "n_test", "subset_name", "p_age_threshold", "p_sex_threshold", "categorical_split_variable", "ignore_demographics", "mullti_diagnoses", "seed" })
        {
            Assert.True(json.RootElement.TryGetProperty(key, out _), key);
        }
        Assert.Equal(2, json.RootElement.GetProperty("n_test").GetInt32());

        var folds = SplitWriter.KFold(labels, _folder, new KFoldOptions { Folds = 2, Seed = 0 });
        Assert.Equal("2_fold/split-0", folds[0].Name);
        Assert.Equal(["train.tsv", "train_baseline.tsv", "validation_baseline.tsv"],
            Directory.GetFiles(folds[1].Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(_folder, "2_fold", "kfold.json")));
    }

    [Fact]
    public void Unreachable_thresholds_stop_after_the_attempts_with_the_best_p_values()
    {
        var error = Assert.Throws<SplitException>(() => SplitWriter.HoldOut(LabelTables.Cohort(40), _folder,
            new HoldOutOptions { TestSize = 0.5, PAgeThreshold = 0.9999, PSexThreshold = 0.9999, MaxAttempts = 50 }));
        Assert.Contains("50 draws", error.Message);
        Assert.Matches(@"best draw reached p\(age\) = 0\.\d{3} and p\(sex\) = \d\.\d{3}", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }

    [Theory]
    [InlineData("missing column", "has no sex column")]
    [InlineData("duplicate row", "appears twice")]
    [InlineData("bad sex", "must hold M or F; found line 3 ('X')")]
    [InlineData("bad age", "must hold numbers; found line 4 ('old')")]
    [InlineData("empty class", "leaves the 'CN' class")]
    [InlineData("single value", "has a single value ('AD')")]
    public void Bad_input_is_named_and_nothing_is_written(string defect, string message)
    {
        List<string?[]> rows =
        [
            ["sub-01", "ses-M000", "70", "M", "AD"], ["sub-02", "ses-M000", "71", "X", "AD"], ["sub-03", "ses-M000", "old", "F", "AD"],
            ["sub-04", "ses-M000", "70", "M", "AD"], ["sub-05", "ses-M000", "72", "F", "CN"], ["sub-06", "ses-M000", "69", "F", "CN"],
        ];
        string[] columns = ["participant_id", "session_id", "age", "sex", "diagnosis"];
        var options = new HoldOutOptions { TestSize = 2, Seed = 0 };
        switch (defect)
        {
            case "missing column":
                columns[3] = "gender";
                break;
            case "duplicate row":
                rows[1] = ["sub-01", "ses-M000", "70", "M", "AD"];
                break;
            case "bad sex":
                rows[2][2] = "70";
                break;
            case "bad age":
                rows[1][3] = "F";
                break;
            case "empty class":
                (rows[1][3], rows[2][2]) = ("F", "70");
                options = new HoldOutOptions { TestSize = 1, Seed = 0, IgnoreDemographics = true };
                break;
            case "single value":
                (rows[1][3], rows[2][2], rows[4][4], rows[5][4]) = ("F", "70", "AD", "AD");
                break;
        }
        var path = Path.Combine(_folder, "labels.tsv");
        new TsvTable(columns, rows).Write(path);

        var error = Assert.Throws<SplitException>(() => SplitWriter.HoldOut(TsvTable.Read(path), _folder, options));

        Assert.Contains(message, error.Message);
        if (defect != "empty class")
        {
            Assert.Contains(path, error.Message);
        }
        Assert.Equal([path], Directory.GetFileSystemEntries(_folder));
    }

    [Fact]
    public void The_audit_finds_planted_leaks()
    {
        var labels = LabelTables.Cohort(60);
        var split = SplitWriter.HoldOut(labels, _folder, new HoldOutOptions { TestSize = 0.2, Seed = 1, IgnoreDemographics = true });
        var folds = SplitWriter.KFold(TsvTable.Read(split.TrainPath), split.Path, new KFoldOptions { Folds = 3, Seed = 1 });
        Assert.True(DataLeakageAuditor.AuditSplitTree(_folder).Passed);

        // A test participant copied into a fold's training data, and a fold's validation row duplicated.
        var test = TsvTable.Read(split.SubsetPath);
        var foldTrain = TsvTable.Read(folds[0].TrainPath);
        foldTrain.WithRows(foldTrain.Rows.Append(test.Rows[0])).Write(folds[0].TrainPath);
        var validation = TsvTable.Read(folds[1].SubsetPath);
        validation.WithRows(validation.Rows.Append(validation.Rows[0])).Write(folds[1].SubsetPath);
        // A held-out participant of fold 2 also held out by fold 1.
        var third = TsvTable.Read(folds[2].SubsetPath);
        validation.WithRows(validation.Rows.Append(third.Rows[0])).Write(folds[1].SubsetPath);

        var audit = DataLeakageAuditor.AuditSplitTree(_folder);

        Assert.False(audit.Passed);
        var kinds = audit.Findings.Select(f => f.Kind).ToHashSet();
        Assert.Contains(nameof(LeakageKind.TestParticipantInTraining), kinds);
        Assert.Contains(nameof(LeakageKind.OverlappingValidationFolds), kinds);
        Assert.Contains(nameof(LeakageKind.ParticipantOnBothSides), kinds);
        Assert.Contains(audit.Findings, f => f.Kind == nameof(LeakageKind.TestParticipantInTraining) && f.Participants.Contains(test.Rows[0][0]!));
    }

    [Fact]
    public void Cross_validation_without_a_test_split_is_flagged()
    {
        SplitWriter.KFold(LabelTables.Cohort(30), _folder, new KFoldOptions { Folds = 3 });
        var audit = DataLeakageAuditor.AuditSplitTree(_folder);
        Assert.True(audit.Passed);
        Assert.Contains(audit.Findings, f => f.Kind == nameof(LeakageKind.NoIndependentTestSet) && f.Severity == "Warning");
    }

    private static TsvTable Read(string path) => TsvTable.Read(path);

    private static IEnumerable<string> Ids(TsvTable table) => table.Rows.Select(r => r[0]!).Distinct();
}
