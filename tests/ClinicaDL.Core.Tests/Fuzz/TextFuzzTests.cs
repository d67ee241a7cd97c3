using System.Diagnostics;
using System.Text;
using ClinicaDL.Core.Datasets;
using ClinicaDL.Core.Extraction;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Splits;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;

namespace ClinicaDL.Core.Tests.Fuzz;

/// <summary>
/// Seeded mutants of the text inputs users hand the engine (labels.tsv, a split tree's TSV and JSON files, an
/// extraction JSON, maps.json, a train config), each given to the code that reads it. Only the engine's
/// documented exception families may escape: they name the file and the problem; anything else is a crash.
/// </summary>
public sealed class TextFuzzTests : IDisposable
{
    private const int Mutants = 400;

    private readonly string _folder = Directory.CreateTempSubdirectory("clinicadl-textfuzz-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Mutants_of_labels_tsv_fail_only_with_engine_exceptions()
    {
        var labels = Path.Combine(_folder, "labels.tsv");
        Fuzz("labels.tsv", LabelsText(), labels, () =>
        {
            var table = TsvTable.Read(labels);
            LabelBuilder.FromTable(table, new LabelOptions { Diagnoses = ["AD", "CN", "MCI"] });
            Progression.Add(table);
            DemographicsAnalysis.Analyse(table);
            SplitWriter.HoldOut(table, _folder, new HoldOutOptions { TestSize = 0.2, IgnoreDemographics = true, MaxAttempts = 5 }, write: false);
        });
    }

    [Fact]
    public void Mutants_of_labels_tsv_split_in_folds_fail_only_with_engine_exceptions()
    {
        var labels = Path.Combine(_folder, "labels.tsv");
        Fuzz("labels.tsv (k-fold)", LabelsText(), labels, () => SplitWriter.KFold(TsvTable.Read(labels), _folder, new KFoldOptions { Folds = 3 }, write: false));
    }

    [Fact]
    public void Mutants_of_a_split_tree_tsv_file_fail_only_with_engine_exceptions() => FuzzSplitTree(".tsv");

    [Fact]
    public void Mutants_of_a_split_tree_json_file_fail_only_with_engine_exceptions() => FuzzSplitTree(".json");

    private void FuzzSplitTree(string extension)
    {
        var labels = Path.Combine(_folder, "labels.tsv");
        File.WriteAllText(labels, LabelsText());
        var tree = Path.Combine(_folder, "tree");
        var split = SplitWriter.HoldOut(TsvTable.Read(labels), tree, new HoldOutOptions { TestSize = 0.2, IgnoreDemographics = true, Seed = 3 });
        SplitWriter.KFold(TsvTable.Read(Path.Combine(split.Path, "train.tsv")), split.Path, new KFoldOptions { Folds = 2, Seed = 3 });
        var files = Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories).Where(f => f.EndsWith(extension, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var originals = files.ToDictionary(f => f, File.ReadAllText);
        for (var i = 0; i < files.Count; i++)
        {
            var file = files[i];
            Fuzz($"split tree {Path.GetRelativePath(tree, file)}", originals[file], file, () => DataLeakageAuditor.AuditSplitTree(tree), Mutants / files.Count, seedBase: 1000 * i);
            File.WriteAllText(file, originals[file]);
        }
    }

    [Fact]
    public void Mutants_of_an_extraction_json_fail_only_with_engine_exceptions()
    {
        var caps = Directory.CreateDirectory(Path.Combine(_folder, "caps", "tensor_extraction")).Parent!.FullName;
        var json = Path.Combine(caps, "tensor_extraction", "extract_patch.json");
        const string text = """
            {"preprocessing": "t1-linear", "mode": "patch", "use_uncropped_image": false, "prepare_dl": true,
             "patch_size": 50, "stride_size": 50, "save_features": false, "extract_json": "extract_patch.json",
             "file_type": {"pattern": "t1_linear/*_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz", "description": "T1W Image registered using t1-linear and cropped"}}
            """;
        Fuzz("extraction JSON", text, json, () => ExtractionOptions.FromJson(ExtractionOptions.ReadJson(caps, "extract_patch.json"), caps, json).Query());
    }

    [Fact]
    public void Mutants_of_maps_json_fail_only_with_engine_exceptions()
    {
        var maps = Directory.CreateDirectory(Path.Combine(_folder, "maps")).FullName;
        const string text = """
            {"network_task": "classification", "architecture": "Conv5_FC3", "mode": "image", "num_networks": 1,
             "multi_network": false, "selection_metrics": ["loss", "BA"], "seed": 0, "input_size": [1, 169, 208, 179]}
            """;
        Fuzz("maps.json", text, Path.Combine(maps, "maps.json"), () => MapsInfo.Read(maps));
    }

    [Fact]
    public void Mutants_of_a_json_train_config_fail_only_with_engine_exceptions()
    {
        var config = Path.Combine(_folder, "train_config.json");
        const string text = """{"architecture": "Conv5_FC3", "epochs": 20, "learning_rate": 0.0001, "batch_size": 8, "selection_metrics": ["loss"], "seed": 0}""";
        Fuzz("train config (JSON)", text, config, () => TrainingConfig.Build(config, new Dictionary<string, object?>()));
    }

    [Fact]
    public void Mutants_of_a_toml_train_config_fail_only_with_engine_exceptions()
    {
        var config = Path.Combine(_folder, "train_config.toml");
        const string text = "[Model]\narchitecture = \"Conv5_FC3\"\n[Optimization]\nepochs = 20\nlearning_rate = 1e-4\n[Computational]\nbatch_size = 8\n[Reproducibility]\nseed = 0\n";
        Fuzz("train config (TOML)", text, config, () => TrainingConfig.Build(config, new Dictionary<string, object?>()));
    }

    /// <summary>The engine's documented failures: each names the input and the problem.</summary>
    private static bool IsEngineFailure(Exception error) => error is InvalidTableException or SplitException or CapsException or MapsException
        or DataLeakageException or InvalidNiftiException or ArgumentException;

    private static void Fuzz(string what, string text, string path, Action read, int mutants = Mutants, int seedBase = 0)
    {
        var original = Encoding.UTF8.GetBytes(text);
        // Where structure lives: separators, line ends, quotes, brackets, numbers' first digits.
        var structure = Enumerable.Range(0, original.Length).Where(i => "\t\n\":,[]{}=0123456789".Contains((char)original[i])).ToList();
        var failures = new List<string>();
        var watch = Stopwatch.StartNew();
        for (var seed = seedBase; seed < seedBase + mutants; seed++)
        {
            var (bytes, description) = new Mutator(seed, structure).Mutate(original);
            File.WriteAllBytes(path, bytes);
            try
            {
                read();
            }
            catch (Exception error) when (IsEngineFailure(error))
            {
            }
            catch (Exception error)
            {
                failures.Add($"seed {seed} ({description}): {error.GetType().Name}: {error.Message} {string.Join(" < ", (error.StackTrace ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Contains("ClinicaDL.Core.") && !l.Contains(".Tests.")).Take(2))}");
            }
        }
        Assert.True(failures.Count == 0, $"{what}: {failures.Count} of {mutants} mutants escaped as other exceptions:\n{string.Join("\n", failures.Take(15))}");
        Console.WriteLine($"{what} fuzz: {mutants} mutants in {watch.Elapsed.TotalSeconds:F1} s");
    }

    private static string LabelsText()
    {
        var text = new StringBuilder("participant_id\tsession_id\tdiagnosis\tage\tsex\n");
        for (var p = 0; p < 30; p++)
        {
            for (var s = 0; s < 1 + p % 3; s++)
            {
                text.Append($"sub-{p:D3}\tses-M{12 * s:D3}\t{(p % 3) switch { 0 => "AD", 1 => "CN", _ => "MCI" }}\t{70 + p % 11}.5\t{(p % 2 == 0 ? "F" : "M")}\n");
            }
        }
        return text.ToString();
    }
}
