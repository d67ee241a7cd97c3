using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Imaging;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Runtime;
using ClinicaDL.Core.Selection;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;
using ClinicaDL.Core.Workflows;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Interpretation;

/// <summary>
/// ClinicaDL's <c>interpret</c>: saliency maps of a data group for each split's best models, written to
/// split-&lt;k&gt;/best-&lt;metric&gt;/&lt;group&gt;/interpret-&lt;name&gt;/. The mean map of the group is the
/// sum of the session maps divided by the number of sessions (ClinicaDL also divides by the part count a second
/// time). NIfTI files carry the source images' affine (ClinicaDL writes the identity), so they overlay on the
/// images in any viewer; the mean input image of the group is written beside them for the same purpose.
/// </summary>
public static class Interpreter
{
    public const string MeanMapName = "mean_image-0_map";
    public const string MeanInputName = "mean_image-0_input";
    public const string SettingsFile = "interpretation.json";

    public static IReadOnlyList<InterpretationMap> Run(InterpretationOptions options, Action<string>? log = null, IProgress<InterpretationProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        var maps = MapsFolder.Open(options.MapsPath);
        using var writing = MapsWriting.Whole(maps.Layout, log);
        if (string.IsNullOrWhiteSpace(options.Name) || options.Name.IndexOfAny([.. Path.GetInvalidFileNameChars(), ' ']) >= 0)
        {
            throw new ArgumentException($"The interpretation name '{options.Name}' must be a non-empty file name without spaces.");
        }
        var config = maps.Configuration;
        if (config.Task == TrainingTask.Reconstruction)
        {
            throw new InterpretationException($"'{maps.Root}' holds a reconstruction network: saliency maps explain a classification or regression output.");
        }
        if (config.Mode != "image")
        {
            throw new InterpretationException($"'{maps.Root}' was trained in {config.Mode} mode; saliency maps are written for whole-image MAPS only in this version.");
        }
        var classification = config.Task == TrainingTask.Classification;
        var outputs = config.OutputSize;
        if (options.Settings.TargetNode < 0 || options.Settings.TargetNode >= outputs)
        {
            throw new ArgumentException($"The target node must be between 0 and {outputs - 1} for this {config.NetworkTask} network ({(classification ? string.Join(", ", config.LabelCode.OrderBy(c => c.Value).Select(c => $"{c.Value} = {c.Key}")) : "one output")}); got {options.Settings.TargetNode}.");
        }
        // The device is checked before Plan defines a new data group.
        TorchRuntime.EnsureLoaded();
        var deviceName = options.Device ?? config.Device;
        var device = TorchRuntime.ResolveDevice(deviceName);
        var work = Plan(maps, options, config);
        // With the MAPS' thread count, not the calling thread's leftover one (see TorchRuntime.UseThreads).
        using var threads = TorchRuntime.UseThreads(TorchRuntime.ResolveThreads(config.Threads));
        var written = new List<InterpretationMap>();
        var total = work.Sum(w => w.Samples.Count);
        var done = 0;
        // Images decoded once per set of sessions: a group defined once serves every split and selection metric.
        foreach (var sameImages in work.GroupBy(w => string.Join('\n', w.Samples.Select(s => s.ImagePath)), StringComparer.Ordinal))
        {
            using var images = new ImageTensors(sameImages.First().Samples.Select(s => s.ImagePath), config, Environment.ProcessorCount, cancellation);
            foreach (var item in sameImages)
            {
                cancellation.ThrowIfCancellationRequested();
                log?.Invoke($"Split {item.Split}, best-{item.Metric}: {options.Settings.Method} maps of {item.Samples.Count} session(s).");
                using var model = BestModels.Load(maps.Split(item.Split), item.Metric, null, config, images.SampleShape, device);
                if (SaliencyMaps.Unsupported(model, options.Settings) is { } reason)
                {
                    throw new InterpretationException(reason);
                }
                model.eval();
                // Saliency needs the gradient of the input (or of a feature map), never of the weights: without this
                // every backward pass also filled a full set of weight gradients (170 MB for Conv5_FC3 at 1 mm).
                foreach (var parameter in model.parameters())
                {
                    parameter.requires_grad = false;
                }
                var space = SampleSpace.Of(item.Samples[0].ImagePath, config, $"{options.Settings.Method} saliency, ClinicaDL for PowerShell");
                var target = Path.Combine(maps.Split(item.Split).Results(item.Metric, options.DataGroup), $"interpret-{options.Name}");
                var staging = $"{target}.{Guid.NewGuid():N}.tmp";
                Directory.CreateDirectory(staging);
                try
                {
                    using var generator = new Generator((ulong)options.Settings.Seed);
                    using var mapSum = zeros([1, .. images.SampleShape[1..]]);
                    using var inputSum = zeros(images.SampleShape);
                    var individual = new List<InterpretationMap>();
                    for (var start = 0; start < item.Samples.Count; start += config.BatchSize)
                    {
                        cancellation.ThrowIfCancellationRequested();
                        using var scope = NewDisposeScope();
                        var batch = item.Samples.Skip(start).Take(config.BatchSize).ToList();
                        var input = images.Batch(batch).to(device);
                        var saliency = SaliencyMaps.Compute(model, input, options.Settings, classification, generator).cpu();
                        var perImage = saliency.shape[1] == 1 ? saliency : saliency.sum(1, keepdim: true);
                        // dim: named, because a literal 0 converts to the ScalarType overload of sum (a whole-tensor sum as bytes).
                        mapSum.PlusInPlace(perImage.sum(dim: 0L, keepdim: false));
                        inputSum.PlusInPlace(input.cpu().sum(dim: 0L, keepdim: false));
                        if (options.SaveIndividual)
                        {
                            for (var b = 0; b < batch.Count; b++)
                            {
                                var name = $"{batch[b].ParticipantId}_{batch[b].SessionId}_image-0_map";
                                individual.Add(Describe(WriteMap(perImage[b], staging, name, space), item, options, "individual", batch[b], 1, target, maps));
                            }
                        }
                        done += batch.Count;
                        progress?.Report(new InterpretationProgress(done, total, item.Split, item.Metric));
                    }
                    using var sessions = ((long)item.Samples.Count).ToScalar();
                    using var mean = mapSum / sessions;
                    var meanMap = Describe(WriteMap(mean, staging, MeanMapName, space), item, options, "mean", null, item.Samples.Count, target, maps);
                    using var meanInput = inputSum / sessions;
                    WriteMap(meanInput, staging, MeanInputName, space);
                    WriteSettings(staging, options, item, config, deviceName);
                    if (Directory.Exists(target) && !options.Overwrite)
                    {
                        throw new OutputExistsException(target, $"An interpretation named '{options.Name}' already exists in '{target}'; choose another name or replace it with -Overwrite.");
                    }
                    OwnedOutput.Replace(staging, target, OutputKind.Interpretation);
                    written.Add(meanMap);
                    written.AddRange(individual);
                }
                finally
                {
                    if (Directory.Exists(staging))
                    {
                        Directory.Delete(staging, recursive: true);
                    }
                }
            }
        }
        return written;
    }

    private sealed record WorkItem(int Split, string Metric, IReadOnlyList<LabeledImage> Samples, bool Leakage);

    /// <summary>Every check that can fail before any computation: the group, its images, the best models, the name.</summary>
    private static List<WorkItem> Plan(MapsFolder maps, InterpretationOptions options, TrainingConfig config)
    {
        var trainingGroup = options.DataGroup is "train" or "validation";
        var groupExists = trainingGroup || Directory.Exists(maps.Layout.Group(options.DataGroup));
        if (groupExists && (options.CapsPath is not null || options.TsvPath is not null))
        {
            throw new DataGroupException($"The data group '{options.DataGroup}' is already defined in '{maps.Root}'; interpret it without -CapsPath/-TsvPath (Invoke-ClinicaDLPrediction -Overwrite redefines a group).");
        }
        // A group that does not exist yet (unknown without data, or half given) is refused by DataGroupDefinition.Resolve.
        // Before the group is defined: a split or metric that does not exist would otherwise be skipped, silently.
        MapsSelection.ThrowIfAny(MapsSelection.MissingSplits(maps, options.Splits).Concat(MapsSelection.MissingSelectionMetrics(maps, options.SelectionMetrics, config.SelectionMetrics)));
        (string Caps, TsvTable Table, bool Leakage)? shared = trainingGroup
            ? null
            : DataGroupDefinition.Resolve(maps, options.DataGroup, options.CapsPath, options.TsvPath, overwrite: false, options.AllowDataLeakage);
        var items = new List<WorkItem>();
        var indexes = new Dictionary<string, CapsImageIndex>(StringComparer.Ordinal);
        foreach (var split in maps.Splits.Where(s => options.Splits is null || options.Splits.Contains(s)))
        {
            var (caps, table, leakage) = shared ?? TrainingGroup(maps, options.DataGroup, split);
            if (!indexes.TryGetValue(caps, out var index))
            {
                indexes[caps] = index = CapsImageIndex.Scan(caps, config.ImageQuery());
            }
            var samples = DataGroup.FromTsv(table, index, config, needLabels: false).Images;
            foreach (var metric in options.SelectionMetrics ?? config.SelectionMetrics)
            {
                if (maps.Split(split).FindBestModel(metric) is null)
                {
                    throw new MapsException($"Split {split} has no best-{metric} model in '{maps.Root}' (selection metrics trained: {string.Join(", ", config.SelectionMetrics)}).");
                }
                var target = Path.Combine(maps.Split(split).Results(metric, options.DataGroup), $"interpret-{options.Name}");
                if (Directory.Exists(target) && !options.Overwrite)
                {
                    throw new OutputExistsException(target, $"An interpretation named '{options.Name}' already exists in '{target}'; choose another name or replace it with -Overwrite.");
                }
                if (Directory.Exists(target))
                {
                    OwnedOutput.CheckOwned(target, OutputKind.Interpretation);
                }
                items.Add(new WorkItem(split, metric, samples, leakage));
            }
        }
        if (items.Count == 0)
        {
            throw new MapsException($"Nothing to interpret: '{maps.Root}' has none of the splits asked for (it has: {string.Join(", ", maps.Splits)}).");
        }
        return items;
    }

    private static (string Caps, TsvTable Table, bool Leakage) TrainingGroup(MapsFolder maps, string group, int split)
    {
        var folder = maps.Layout.GroupSplit(group, split);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "maps.json")))!;
        return (json["caps_directory"]!.GetValue<string>(), TsvTable.Read(Path.Combine(folder, "data.tsv")), false);
    }

    /// <summary>Writes [1, X, Y, Z] as NIfTI (x fastest) and as a .tensor file; returns the NIfTI path, the tensor path and the range.</summary>
    private static (string Nifti, string Tensor, long[] Shape, double Min, double Max) WriteMap(Tensor map, string folder, string name, SampleSpace space)
    {
        using var scope = NewDisposeScope();
        var volume = map.squeeze(0).to(ScalarType.Float32).cpu();
        var shape = volume.shape;
        var nifti = Path.Combine(folder, name + ".nii.gz");
        var tensorPath = Path.Combine(folder, name + TensorFile.Extension);
        space.Write(nifti, volume);
        TensorFile.Write(tensorPath, map.shape, map.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray());
        return (nifti, tensorPath, shape, volume.min().item<float>(), volume.max().item<float>());
    }

    private static InterpretationMap Describe((string Nifti, string Tensor, long[] Shape, double Min, double Max) file, WorkItem item, InterpretationOptions options,
        string kind, LabeledImage? session, int count, string finalFolder, MapsFolder maps) => new()
    {
        Split = item.Split, SelectionMetric = item.Metric, DataGroup = options.DataGroup, Name = options.Name, Method = options.Settings.Method.ToString(), Kind = kind,
        ParticipantId = session?.ParticipantId, SessionId = session?.SessionId, SessionCount = count,
        Path = Path.Combine(finalFolder, Path.GetFileName(file.Nifti)), TensorPath = Path.Combine(finalFolder, Path.GetFileName(file.Tensor)),
        Shape = string.Join("x", file.Shape), Minimum = file.Min, Maximum = file.Max, LeakageOverride = item.Leakage, MapsPath = maps.Root,
    };

    private static void WriteSettings(string folder, InterpretationOptions options, WorkItem item, TrainingConfig config, string device)
    {
        var settings = options.Settings;
        var json = new JsonObject
        {
            ["method"] = settings.Method.ToString(),
            ["target_node"] = settings.TargetNode,
            ["target_label"] = config.Task == TrainingTask.Classification ? config.LabelCode.First(c => c.Value == settings.TargetNode).Key : null,
            ["data_group"] = options.DataGroup,
            ["split"] = item.Split,
            ["selection_metric"] = item.Metric,
            ["sessions"] = item.Samples.Count,
            ["save_individual"] = options.SaveIndividual,
            ["smoothgrad_samples"] = settings.Method == SaliencyMethod.SmoothGrad ? settings.SmoothGradSamples : null,
            ["smoothgrad_noise"] = settings.Method == SaliencyMethod.SmoothGrad ? settings.SmoothGradNoise : null,
            ["occlusion_size"] = settings.Method == SaliencyMethod.Occlusion ? settings.OcclusionSize : null,
            ["level_grad_cam"] = settings.Method == SaliencyMethod.GradCam ? settings.GradCamLevel : null,
            ["seed"] = settings.Seed,
            ["leakage_override"] = item.Leakage,
            ["device"] = device,
            ["date"] = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
        };
        AtomicFile.WriteAllText(Path.Combine(folder, SettingsFile), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
