using System.Text.Json.Nodes;
using ClinicaDL.Core.Generation;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;
using ClinicaDL.Core.Workflows;

namespace ClinicaDL.Core.Tests.Workflows;

/// <summary>
/// ClinicaDL's semi-supervised domain adaptation (ssda_network, Conv5_FC3_SSDA) on a tiny source study (sub-001 to
/// sub-008) and a tiny target study of its own CAPS (participants from sub-009: two labelled validating, four labelled training, four unlabelled):
/// ClinicaDL's files, the same bits from the same seed, a resumed run equal to an uninterrupted one, each refusal
/// before anything is written, and the leakage checks over the target data.
/// </summary>
public sealed class DomainAdaptationTrainingTests(DomainAdaptationTrainingTests.SharedStudy shared) : IDisposable, IClassFixture<DomainAdaptationTrainingTests.SharedStudy>
{
    private readonly string _root = Directory.CreateTempSubdirectory("clinicadl-ssda-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    public sealed record Study(string Caps, string Split, string TargetCaps, string TargetSplit, string Unlabeled);

    /// <summary>One study for the tests that only read it (generating it takes a few seconds).</summary>
    public sealed class SharedStudy : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("clinicadl-ssda-shared-").FullName;

        public SharedStudy()
        {
            TorchNatives.EnsureLoaded();
            Study = Create(_root);
        }

        public Study Study { get; }

        public void Dispose() => Directory.Delete(_root, recursive: true);
    }

    /// <summary>The source study, and a target study whose labelled split and unlabelled TSV use other participants.</summary>
    private static Study Create(string root, int targetVoxelSize = 3)
    {
        var (caps, split) = TinyStudy.Create(Path.Combine(root, "source"), participants: 8, seed: 4);
        var targetData = Path.Combine(root, "target");
        SyntheticDatasetGenerator.Generate(new SyntheticOptions { OutputPath = targetData, ParticipantCount = 20, SessionCount = 1, VoxelSize = targetVoxelSize, Seed = 9 }, overwrite: true);
        var labels = TsvTable.Read(Path.Combine(targetData, "labels.tsv"));
        var targetSplit = Path.Combine(root, "target-split");
        Directory.CreateDirectory(targetSplit);
        // Past the source's participant numbers: one participant of each class validates (an AUC needs both), two of
        // each class train, four others are unlabelled.
        var pool = labels.Rows.Skip(8).ToList();
        var diagnosis = labels.IndexOf("diagnosis");
        List<string?[]> Take(string label, int skip, int count) => pool.Where(r => r[diagnosis] == label).Skip(skip).Take(count).ToList();
        List<string?[]> validation = [.. Take("AD", 0, 1), .. Take("CN", 0, 1)];
        List<string?[]> train = [.. Take("AD", 1, 2), .. Take("CN", 1, 2)];
        labels.WithRows(validation).Write(Path.Combine(targetSplit, "validation_baseline.tsv"));
        labels.WithRows(train).Write(Path.Combine(targetSplit, "train.tsv"));
        var unlabeled = Path.Combine(root, "target-unlabeled.tsv");
        new TsvTable(["participant_id", "session_id"], pool.Except(validation).Except(train).Take(4).Select(r => new[] { r[0], r[1] })).Write(unlabeled);
        return new Study(caps, split, Path.Combine(targetData, "caps"), targetSplit, unlabeled);
    }

    private static Dictionary<string, object?> Keys(Study study, int epochs = 2) => new()
    {
        ["caps_directory"] = study.Caps, ["tsv_path"] = study.Split, ["epochs"] = epochs, ["batch_size"] = 2, ["seed"] = 3, ["dropout"] = 0.2,
        ["architecture"] = "Conv5_FC3_SSDA", ["ssda_network"] = true, ["caps_target"] = study.TargetCaps, ["tsv_target_lab"] = study.TargetSplit,
        ["tsv_target_unlab"] = study.Unlabeled, ["bootstrap_resamples"] = 10,
    };

    private static IReadOnlyList<string> Participants(string tsv)
    {
        var table = TsvTable.Read(tsv);
        return table.Rows.Select(r => r[table.IndexOf("participant_id")]!).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>A training log without its time column, which differs between runs.</summary>
    private static List<string> Log(string path)
    {
        var table = TsvTable.Read(path);
        return table.Rows.Select(r => string.Join("\t", r.Where((_, i) => table.Columns[i] != "time"))).ToList();
    }

    [Fact]
    public void Trains_both_domains_into_ClinicaDL_s_files_and_a_resumed_run_from_the_same_seed_gives_the_same_bits()
    {
        var study = shared.Study;
        var first = Path.Combine(_root, "first");
        Assert.All(Trainer.Train(TrainingConfig.Build(null, Keys(study)), first, overwrite: false, "test"), r => Assert.Equal(TrainingStatus.Completed, r.Status));

        // training.tsv (source head, source data) and training_target.tsv (target head, labelled target data), ClinicaDL's columns.
        var split = Path.Combine(first, "split-0");
        var source = TsvTable.Read(Path.Combine(split, "training_logs", "training.tsv"));
        var target = TsvTable.Read(Path.Combine(split, "training_logs", "training_target.tsv"));
        Assert.Equal(source.Columns, target.Columns);
        Assert.Equal(["epoch", "iteration", "time"], target.Columns.Take(3));
        Assert.Contains("BA_valid", target.Columns);
        Assert.Contains("loss_train", target.Columns);
        Assert.Equal(2, target.Rows.Count);
        Assert.Equal(2, source.Rows.Count);
        // Two steps per epoch: the source's 6 sessions give 3 batches of 2, the 4 unlabelled ones 2.
        Assert.Equal(["2", "4"], target.Rows.Select(r => r[1]));
        Assert.NotEqual(source.Rows.Select(r => r[source.IndexOf("loss_valid")]), target.Rows.Select(r => r[target.IndexOf("loss_valid")]));

        // maps.json: ClinicaDL's keys and values.
        var maps = JsonNode.Parse(File.ReadAllText(Path.Combine(first, "maps.json")))!.AsObject();
        Assert.Equal("Conv5_FC3_SSDA", maps["architecture"]!.GetValue<string>());
        Assert.True(maps["ssda_network"]!.GetValue<bool>());
        Assert.Equal(study.TargetCaps, maps["caps_target"]!.GetValue<string>());
        Assert.Equal(study.TargetSplit, maps["tsv_target_lab"]!.GetValue<string>());
        Assert.Equal(study.Unlabeled, maps["tsv_target_unlab"]!.GetValue<string>());
        Assert.Equal("", maps["preprocessing_dict_target"]!.GetValue<string>());
        Assert.False(maps["multi_network"]!.GetValue<bool>());

        // The results are the target classifier's on the labelled target data, as ClinicaDL's _test_loader_ssda writes them.
        Assert.Equal(Participants(Path.Combine(study.TargetSplit, "validation_baseline.tsv")),
            Participants(Path.Combine(split, "best-loss", "validation", "validation_image_level_prediction.tsv")));
        Assert.Equal(Participants(Path.Combine(study.TargetSplit, "train.tsv")), Participants(Path.Combine(split, "best-loss", "train", "train_image_level_prediction.tsv")));
        Assert.Equal(4, Participants(Path.Combine(study.TargetSplit, "train.tsv")).Count);
        Assert.True(File.Exists(Path.Combine(split, "best-loss", "model.pth.tar")));
        Assert.False(Directory.Exists(Path.Combine(split, "tmp")));

        // Every target participant, labelled or not, counts as seen in training.
        var seen = new[] { Path.Combine(study.Split, "train.tsv"), Path.Combine(study.Split, "validation_baseline.tsv"), Path.Combine(study.TargetSplit, "train.tsv"),
            Path.Combine(study.TargetSplit, "validation_baseline.tsv"), study.Unlabeled }.SelectMany(Participants).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(18, seen.Count);
        Assert.Equal(seen, Participants(Path.Combine(first, "groups", "train+validation.tsv")));

        // Stopped during epoch 1 and resumed from epoch 0's checkpoint, another run from the same seed gives the
        // uninterrupted run's logs and weights to the bit.
        // This run finds the target images through an image extraction JSON of the target CAPS (the same images), which
        // maps.json records whole, as ClinicaDL records preprocessing_dict_target.
        var extraction = Path.Combine(study.TargetCaps, "tensor_extraction", "image.json");
        Directory.CreateDirectory(Path.GetDirectoryName(extraction)!);
        File.WriteAllText(extraction, """{"preprocessing": "t1-linear", "mode": "image", "use_uncropped_image": false, "prepare_dl": false, "extract_json": "image.json"}""");
        var resumedKeys = Keys(study);
        resumedKeys["preprocessing_dict_target"] = "image.json";
        var resumed = Path.Combine(_root, "resumed");
        using var stop = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Train(TrainingConfig.Build(null, resumedKeys), resumed, overwrite: false, "test",
            new Recorder(p => { if (p.Epoch == 1 && p.Batch >= 1) { stop.Cancel(); } }), cancellation: stop.Token));
        Assert.Single(Log(Path.Combine(resumed, "split-0", "training_logs", "training_target.tsv")));
        var recorded = JsonNode.Parse(File.ReadAllText(Path.Combine(resumed, "maps.json")))!["preprocessing_dict_target"]!.AsObject();
        Assert.Equal("image", recorded["mode"]!.GetValue<string>());
        Assert.Equal("image.json", recorded["extract_json"]!.GetValue<string>());
        Assert.All(Trainer.Resume(resumed, "test"), r => Assert.Equal(TrainingStatus.Completed, r.Status));
        Assert.Equal(Log(Path.Combine(split, "training_logs", "training.tsv")), Log(Path.Combine(resumed, "split-0", "training_logs", "training.tsv")));
        Assert.Equal(Log(Path.Combine(split, "training_logs", "training_target.tsv")), Log(Path.Combine(resumed, "split-0", "training_logs", "training_target.tsv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(split, "best-loss", "model.pt")), File.ReadAllBytes(Path.Combine(resumed, "split-0", "best-loss", "model.pt")));

        // A prediction on target participants the training saw is refused, as on source ones.
        var leak = Assert.Throws<DataLeakageException>(() => Predictor.Predict(new PredictionOptions
        {
            MapsPath = first, DataGroup = "target-check", CapsPath = study.TargetCaps, TsvPath = Path.Combine(study.TargetSplit, "validation_baseline.tsv"),
        }));
        Assert.Contains(Participants(Path.Combine(study.TargetSplit, "validation_baseline.tsv"))[0], leak.Message);
        var unlabeledLeak = Assert.Throws<DataLeakageException>(() => Predictor.Predict(new PredictionOptions
        {
            MapsPath = first, DataGroup = "unlabeled-check", CapsPath = study.TargetCaps, TsvPath = study.Unlabeled, NoLabel = true,
        }));
        Assert.Contains(Participants(study.Unlabeled)[0], unlabeledLeak.Message);
    }

    public static TheoryData<string, string, string> Refusals() => new()
    {
        // What is changed, the value, and what the message must say.
        { "caps_target", "missing-caps", "caps_target: the target CAPS" },
        { "tsv_target_lab", "missing-split", "tsv_target_lab: the split folder of labelled target sessions" },
        { "tsv_target_unlab", "missing.tsv", "tsv_target_unlab: the TSV of unlabelled target sessions" },
        { "preprocessing_dict_target", "extract_image.json", "tensor_extraction" },
        { "architecture", "Conv5_FC3", "ssda_network = true trains Conv5_FC3_SSDA only" },
        { "ssda_network", "false", "Conv5_FC3_SSDA trains only with ssda_network = true" },
        { "adaptive_learning_rate", "true", "adaptive_learning_rate: ClinicaDL's domain adaptation never lowers the rate" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Refuses_bad_target_settings_before_writing_anything(string key, string value, string message)
    {
        var study = shared.Study;
        var keys = Keys(study);
        keys[key] = value switch
        {
            "true" => true,
            "false" => false,
            _ when key is "caps_target" or "tsv_target_lab" or "tsv_target_unlab" => Path.Combine(_root, value),
            _ => value,
        };
        var maps = Path.Combine(_root, "maps");

        var error = Assert.ThrowsAny<ArgumentException>(() => Trainer.Train(TrainingConfig.Build(null, keys), maps, overwrite: false, "test"));

        Assert.Contains(message, error.Message);
        if (key is "caps_target" or "tsv_target_lab" or "tsv_target_unlab")
        {
            Assert.Contains(Path.Combine(_root, value), error.Message);
        }
        Assert.False(Directory.Exists(maps));
    }

    [Fact]
    public void Refuses_target_keys_without_ssda_network_and_target_images_of_another_shape()
    {
        var study = Create(_root, targetVoxelSize: 2);
        var keys = Keys(study);
        keys["ssda_network"] = false;
        keys["architecture"] = "Conv5_FC3";
        var maps = Path.Combine(_root, "maps");
        var error = Assert.ThrowsAny<ArgumentException>(() => Trainer.Train(TrainingConfig.Build(null, keys), maps, overwrite: false, "test"));
        Assert.Contains("caps_target, tsv_target_lab, tsv_target_unlab describe the target data of semi-supervised domain adaptation, which needs ssda_network = true", error.Message);

        var shape = Assert.ThrowsAny<ArgumentException>(() => Trainer.Train(TrainingConfig.Build(null, Keys(study)), maps, overwrite: false, "test"));
        Assert.Contains($"the target images of '{study.TargetCaps}' are", shape.Message);
        Assert.Contains("the source images", shape.Message);
        Assert.False(Directory.Exists(maps));
    }

    [Fact]
    public void Refuses_target_data_overlapping_the_source_test_set_or_unlabelled_sessions_in_target_validation()
    {
        var study = Create(_root);
        var maps = Path.Combine(_root, "maps");
        // The source split folder lies in a hold-out split whose test set holds a labelled target participant.
        var holdOut = Path.GetDirectoryName(study.Split)!;
        File.WriteAllText(Path.Combine(holdOut, "split.json"), """{"subset_name": "test"}""");
        var trained = Participants(Path.Combine(study.TargetSplit, "train.tsv"))[0];
        new TsvTable(["participant_id", "session_id", "diagnosis"], [[trained, "ses-M000", "AD"]]).Write(Path.Combine(holdOut, "test_baseline.tsv"));
        var test = Assert.Throws<DataLeakageException>(() => Trainer.Train(TrainingConfig.Build(null, Keys(study)), maps, overwrite: false, "test"));
        Assert.Contains("test participant(s) of", test.Message);
        Assert.Contains(trained, test.Message);
        Assert.False(Directory.Exists(maps));
        File.Delete(Path.Combine(holdOut, "split.json"));

        // A source training participant among the target participants the models are chosen on (one cohort, two scanners).
        var targetValidationFile = Path.Combine(study.TargetSplit, "validation_baseline.tsv");
        var targetValidation = TsvTable.Read(targetValidationFile);
        var sourceTrained = Participants(Path.Combine(study.Split, "train.tsv"))[0];
        new TsvTable(targetValidation.Columns, [.. targetValidation.Rows, [sourceTrained, .. targetValidation.Rows[0][1..]]]).Write(targetValidationFile);
        var crossed = Assert.Throws<DataLeakageException>(() => Trainer.Train(TrainingConfig.Build(null, Keys(study)), maps, overwrite: false, "test"));
        Assert.Contains("of the source training data", crossed.Message);
        Assert.Contains(sourceTrained, crossed.Message);
        Assert.False(Directory.Exists(maps));
        targetValidation.Write(targetValidationFile);

        // An unlabelled target session of a participant the models are validated on.
        var table = TsvTable.Read(study.Unlabeled);
        var validated = Participants(Path.Combine(study.TargetSplit, "validation_baseline.tsv"))[0];
        new TsvTable(table.Columns, [.. table.Rows, [validated, "ses-M000"]]).Write(study.Unlabeled);
        var validation = Assert.Throws<DataLeakageException>(() => Trainer.Train(TrainingConfig.Build(null, Keys(study)), maps, overwrite: false, "test"));
        Assert.Contains("unlabelled target data", validation.Message);
        Assert.Contains(validated, validation.Message);
        Assert.False(Directory.Exists(maps));
    }
}
