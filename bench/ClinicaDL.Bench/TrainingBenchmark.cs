using System.Diagnostics;
using System.Globalization;
using ClinicaDL.Core.Generation;
using ClinicaDL.Core.Networks;
using ClinicaDL.Core.Runtime;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;
using ClinicaDL.Core.Workflows;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Bench;

/// <summary>
/// Training speed and memory against ClinicaDL 1.6.1 measured on this machine (0.49 training images/s for
/// Conv5_FC3 on 1x169x208x179 at batch 2 with 2 threads; 3.27 GB peak), the input pipeline against pure
/// compute, and resident memory across epochs.
/// </summary>
internal static class TrainingBenchmark
{
    /// <summary>
    /// train_images_per_s_full in float32 and train_images_per_s_full_amp with amp (bfloat16 passes on float32
    /// master weights), the two alternating over two rounds in this process; train_amp_vs_fp32 is the median of the
    /// rounds' rate ratios.
    /// </summary>
    public static void Full(string workFolder)
    {
        var (caps, splits) = FullSizeData(workFolder, "full");
        var refusal = MixedPrecision.Refusal(CPU);
        var rates = new Dictionary<bool, List<double>> { [false] = [], [true] = [] };
        var ratios = new List<double>();
        double? firstRunPeak = null;
        for (var round = 0; round < 2; round++)
        {
            var roundRates = new Dictionary<bool, double>();
            foreach (var amp in refusal is null ? new[] { false, true } : [false])
            {
                var config = Config(caps, splits, epochs: 3, batch: 2);
                config.Amp = amp;
                var epochs = TrainingRates(config, Path.Combine(workFolder, amp ? "maps_full_amp" : "maps_full"), FullTrainCount, out _);
                // Each run's first epoch warms libtorch's allocator and oneDNN's kernel caches up: not counted.
                rates[amp].AddRange(epochs.Skip(1));
                roundRates[amp] = Median(epochs.Skip(1));
                // The process' peak after its first run is one training's; later runs start from what the first left.
                firstRunPeak ??= Process.GetCurrentProcess().PeakWorkingSet64 / 1e6;
            }
            if (refusal is null)
            {
                ratios.Add(roundRates[true] / roundRates[false]);
            }
        }
        PrintRates("train_images_per_s_full", rates[false]);
        if (refusal is null)
        {
            PrintRates("train_images_per_s_full_amp", rates[true]);
            Print("train_amp_vs_fp32", Median(ratios));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"train_amp_vs_fp32_rounds: {string.Join(" ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}"));
        }
        else
        {
            Console.WriteLine($"train_images_per_s_full_amp: not measured, {refusal}");
        }
        Print("train_peak_rss_mb_full", firstRunPeak!.Value);
        Print("train_peak_rss_mb_full_all_runs", Process.GetCurrentProcess().PeakWorkingSet64 / 1e6);
        // Part of the first peak is the run's in-memory image cache (ClinicaDL reads a file per sample instead).
        Print("train_image_cache_mb_full", FullParticipants * 169L * 208 * 179 * sizeof(float) / 1e6);
    }

    /// <summary>The same after Export-ClinicaDLTensor: images read from their tensor files per batch, no image cache in memory.</summary>
    public static void FullFromTensors(string workFolder)
    {
        var (caps, splits) = FullSizeData(workFolder, "full");
        ClinicaDL.Core.Extraction.TensorExtractor.Run(new ClinicaDL.Core.Extraction.ExtractionOptions { CapsPath = caps, Mode = ClinicaDL.Core.Extraction.ExtractionMode.Image });
        GC.Collect();
        var rates = TrainingRates(Config(caps, splits, epochs: 4, batch: 2), Path.Combine(workFolder, "maps_full_from_tensors"), FullTrainCount, out _);
        PrintRates("train_images_per_s_full_from_tensors", rates.Skip(1).ToList());
        Print("train_peak_rss_mb_full_from_tensors", Process.GetCurrentProcess().PeakWorkingSet64 / 1e6);
    }

    // 16 training images, 7 timed batches of 2 per epoch (each epoch's first is excluded). The phantoms hold no
    // subnormal floats in their images, activations or gradients (checked on 2026-11-28), so flushing denormals
    // would change nothing here.
    private const int FullParticipants = 18;
    private const int FullTrainCount = 16;

    private static (string Caps, string Splits) FullSizeData(string workFolder, string name) => Data(workFolder, name, voxelSize: 1, FullParticipants, validation: 2);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The median of steady-state epoch rates, then every rate (its spread).</summary>
    private static void PrintRates(string name, IReadOnlyList<double> rates)
    {
        Print(name, Median(rates));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}_epochs: {string.Join(" ", rates.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))} (steady-state epochs; first epoch of each run excluded)"));
    }

    /// <summary>
    /// train_pipeline_vs_compute: samples/s of a real training epoch (batches assembled from the image cache)
    /// over samples/s of the same network and batch size on one ready batch of the same data, in the same process.
    /// </summary>
    public static void PipelineVersusCompute(string workFolder) => PipelineVersusCompute(workFolder, [], "", patches: false);

    /// <summary>The same ratio with ClinicaDL's cheaper augmentations on, prepared by the prefetch thread.</summary>
    public static void PipelineVersusComputeAugmented(string workFolder) => PipelineVersusCompute(workFolder, Augmented, "_augmented", patches: false);

    /// <summary>
    /// train_pipeline_vs_compute_patch: the same in patch mode with ClinicaDL's default extraction (50-voxel patches,
    /// stride 50: 36 per 1 mm image) and the augmentations on; each batch reads its images' tensor files and cuts
    /// the patches, as ClinicaDL's patch dataset does without save_features.
    /// </summary>
    public static void PipelineVersusComputePatch(string workFolder) => PipelineVersusCompute(workFolder, Augmented, "_patch", patches: true);

    private static readonly string[] Augmented = ["Noise", "Erasing", "CropPad", "Smoothing", "BiasField"];

    private static void PipelineVersusCompute(string workFolder, string[] augmentations, string suffix, bool patches)
    {
        // Image mode: 36 training images in batches of 4, 8 timed batches per epoch. Patch mode: 8 training images
        // x 36 patches in batches of 8, 35 timed batches. The second epoch's rate is kept.
        var (caps, splits) = patches
            ? Data(workFolder, "pipeline-patch", voxelSize: 1, participants: 10, validation: 2)
            : Data(workFolder, "pipeline", voxelSize: 2, participants: 40, validation: 4);
        var batch = patches ? 8 : 4;
        var config = Config(caps, splits, epochs: 2, batch);
        config.DataAugmentation = [.. augmentations];
        var trainCount = 36;
        if (patches)
        {
            ClinicaDL.Core.Extraction.TensorExtractor.Run(new ClinicaDL.Core.Extraction.ExtractionOptions { CapsPath = caps, Mode = ClinicaDL.Core.Extraction.ExtractionMode.Patch, ExtractJson = "bench_patch" });
            config.PreprocessingDict = ClinicaDL.Core.Extraction.ExtractionOptions.ReadJson(caps, "bench_patch");
            config.Mode = "patch";
            trainCount = 8 * 36;
            GC.Collect();
        }
        // The machine's speed drifts by 30% over minutes: the two sides alternate, three rounds, and the figure is
        // the median of the three pair ratios (with the least and the most).
        var ratios = new List<(double Pipeline, double Compute)>();
        for (var round = 0; round < 3; round++)
        {
            var pipelineRate = TrainingRates(config, Path.Combine(workFolder, "maps-pipeline" + suffix), trainCount, out var shape)[^1];
            ratios.Add((pipelineRate, ComputeRate(ReadyBatch(config, batch), trainCount / batch - 1)));
        }
        if (augmentations.Length > 0)
        {
            Console.WriteLine($"train_augmentations{suffix}: {string.Join(",", augmentations)}");
        }
        var ordered = ratios.OrderBy(r => r.Pipeline / r.Compute).ToList();
        Print($"train_pipeline_samples_per_s{suffix}", ordered[1].Pipeline);
        Print($"train_compute_samples_per_s{suffix}", ordered[1].Compute);
        Print($"train_pipeline_vs_compute{suffix}", ordered[1].Pipeline / ordered[1].Compute);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"train_pipeline_vs_compute{suffix}_rounds: {string.Join(" ", ratios.Select(r => (r.Pipeline / r.Compute).ToString("F2", CultureInfo.InvariantCulture)))}"));
    }

    /// <summary>
    /// One batch of the run's own samples (images or parts, prepared as training prepares them, without
    /// augmentation), drawn at random: the compute side trains on the same kind of data as the pipeline side, so
    /// the two differ by the input pipeline only.
    /// </summary>
    private static Tensor ReadyBatch(TrainingConfig config, int batch)
    {
        var paths = ClinicaDL.Core.Datasets.CapsDataset.Find(config.CapsDirectory!, config.ImageQuery()).Select(i => i.Path).ToList();
        using var images = new ImageTensors(paths, config, 2, CancellationToken.None);
        var samples = images.Samples(paths.Select(p => new LabeledImage("sub", "ses", null, p))).ToArray();
        new Random(0).Shuffle(samples);
        return images.Batch(samples.Take(batch));
    }

    /// <summary>Samples per second of training steps on one ready batch (after one warm-up step): pure compute.</summary>
    private static double ComputeRate(Tensor ready, int timedSteps)
    {
        manual_seed(0);
        using var input = ready;
        var batch = (int)input.shape[0];
        using var model = NetworkRegistry.Create("Conv5_FC3", input.shape[1..], 2, 0);
        using var optimizer = optim.Adam(model.parameters(), 5e-4, weight_decay: 1e-4);
        using var target = tensor(Enumerable.Range(0, batch).Select(i => (long)(i % 2)).ToArray());
        model.train();
        var watch = new Stopwatch();
        for (var step = 0; step <= timedSteps; step++)
        {
            if (step == 1)
            {
                watch.Start();
            }
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.forward(input), target).backward();
            optimizer.step();
        }
        return timedSteps * batch / watch.Elapsed.TotalSeconds;
    }

    /// <summary>train_rss_growth_mb: resident memory after epoch 10 minus after epoch 2 (a leak shows as growth).</summary>
    public static void MemoryGrowth(string workFolder)
    {
        var (caps, splits) = Data(workFolder, "growth", voxelSize: 3, participants: 16, validation: 4);
        var config = Config(caps, splits, epochs: 10, batch: 4);
        var resident = new Dictionary<int, long>();
        var progress = new Progress(p =>
        {
            if (p.Phase == "evaluating")
            {
                resident[p.Epoch + 1] = Process.GetCurrentProcess().WorkingSet64;
            }
        });
        Trainer.Train(config, Path.Combine(workFolder, "maps-growth"), overwrite: true, "bench", progress);
        Print("train_rss_after_epoch_2_mb", resident[2] / 1e6);
        Print("train_rss_after_epoch_10_mb", resident[10] / 1e6);
        Print("train_rss_growth_mb", (resident[10] - resident[2]) / 1e6);
    }

    /// <summary>
    /// demo_test_ba_strength_1 and demo_test_ba_strength_0: the main job's recipe (3 mm phantoms, Conv5_FC3) on
    /// data with the default atrophy and with none; with none the diagnosis is not in the images and the test
    /// balanced accuracy must sit near chance (0.5).
    /// </summary>
    public static void Chance(string workFolder)
    {
        foreach (var strength in new[] { 1.0, 0.0 })
        {
            // The bench's own folder, made anew each run: data, split and MAPS side by side.
            var folder = Path.Combine(workFolder, $"chance-{strength:F0}");
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
            var root = Path.Combine(folder, "data");
            SyntheticDatasetGenerator.Generate(new SyntheticOptions { OutputPath = root, ParticipantCount = 60, SessionCount = 1, VoxelSize = 3, AtrophyStrength = strength, Seed = 1 }, overwrite: true);
            var labels = TsvTable.Read(Path.Combine(root, "labels.tsv"));
            var split = ClinicaDL.Core.Splits.SplitWriter.HoldOut(labels, folder, new ClinicaDL.Core.Splits.HoldOutOptions { TestSize = 20, IgnoreDemographics = true, Seed = 1 });
            ClinicaDL.Core.Splits.SplitWriter.HoldOut(TsvTable.Read(split.TrainPath), split.Path, new ClinicaDL.Core.Splits.HoldOutOptions { TestSize = 10, SubsetName = "validation", IgnoreDemographics = true, Seed = 1 });
            var maps = Path.Combine(folder, "maps");
            var config = TrainingConfig.Build(null, new Dictionary<string, object?>
            {
                ["caps_directory"] = Path.Combine(root, "caps"), ["tsv_path"] = Path.Combine(split.Path, "split"), ["epochs"] = 12, ["batch_size"] = 4,
                ["learning_rate"] = 5e-4, ["bootstrap_resamples"] = 100,
            });
            Trainer.Train(config, maps, overwrite: true, "bench");
            Predictor.Predict(new PredictionOptions { MapsPath = maps, DataGroup = "test", CapsPath = Path.Combine(root, "caps"), TsvPath = split.SubsetPath });
            var ba = ClinicaDL.Core.Maps.MapsResults.Read(maps, "test", 0, "loss").Single().Values["BA"].Value;
            Print($"demo_test_ba_strength_{strength:F0}", ba);
        }
    }

    /// <summary>
    /// Training samples per second of each epoch, batches only (no evaluation): timed from the end of the first
    /// batch (the first report) to the end of the last, so the count excludes the first batch.
    /// </summary>
    private static List<double> TrainingRates(TrainingConfig config, string maps, int trainCount, out long[] sampleShape)
    {
        var starts = new Dictionary<int, TimeSpan>();
        var ends = new Dictionary<int, TimeSpan>();
        var watch = Stopwatch.StartNew();
        var progress = new Progress(p =>
        {
            if (p.Phase == "training" && p.Batch == 1)
            {
                starts[p.Epoch] = watch.Elapsed;
            }
            if (p.Phase == "evaluating")
            {
                ends[p.Epoch] = watch.Elapsed;
            }
        });
        Trainer.Train(config, maps, overwrite: true, "bench", progress);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(maps, "maps.json")))!;
        sampleShape = json["input_size"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray();
        return starts.Keys.Order().Select(e => (trainCount - config.BatchSize) / (ends[e] - starts[e]).TotalSeconds).ToList();
    }

    private static (string Caps, string Splits) Data(string workFolder, string name, int voxelSize, int participants, int validation)
    {
        // The data set is regenerated whole each run; its split lives beside it, since replacing a data set refuses
        // folders it did not make.
        var folder = Path.Combine(workFolder, $"training-{name}");
        var root = Path.Combine(folder, "data");
        SyntheticDatasetGenerator.Generate(new SyntheticOptions { OutputPath = root, ParticipantCount = participants, SessionCount = 1, VoxelSize = voxelSize }, overwrite: true);
        var labels = TsvTable.Read(Path.Combine(root, "labels.tsv"));
        var splits = Path.Combine(folder, "split");
        Directory.CreateDirectory(splits);
        labels.WithRows(labels.Rows.Skip(validation)).Write(Path.Combine(splits, "train.tsv"));
        labels.WithRows(labels.Rows.Take(validation)).Write(Path.Combine(splits, "validation_baseline.tsv"));
        return (Path.Combine(root, "caps"), splits);
    }

    private static TrainingConfig Config(string caps, string splits, int epochs, int batch) => TrainingConfig.Build(null, new Dictionary<string, object?>
    {
        ["caps_directory"] = caps, ["tsv_path"] = splits, ["epochs"] = epochs, ["batch_size"] = batch, ["learning_rate"] = 5e-4,
        ["threads"] = 2, ["bootstrap_resamples"] = 100,
    });

    private static void Print(string name, double value) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {value:F2}"));

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
