using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Networks;
using ClinicaDL.Core.Runtime;
using ClinicaDL.Core.Tables;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Training;

/// <summary>
/// Trains classification and regression networks into a MAPS, split by split, on whole images or on the patches,
/// slices or regions an extraction JSON describes (then results are written per part and, by voting, per image):
/// one dispose scope per
/// batch, the whole train and validation sets evaluated after every epoch, a training.tsv row and an atomic
/// checkpoint per epoch, best-&lt;metric&gt;/ updated when a selection metric strictly improves, early stopping,
/// gradient accumulation. A stopped run resumes from its checkpoints to the same result.
/// </summary>
public sealed class Trainer
{

    private readonly TrainingConfig _config;
    private readonly MapsLayout _maps;
    private readonly IProgress<TrainingProgress>? _progress;
    private readonly Action<string> _log;
    private readonly CancellationToken _cancellation;
    private readonly Stopwatch _watch = Stopwatch.StartNew();

    private Trainer(TrainingConfig config, string mapsPath, IProgress<TrainingProgress>? progress, Action<string>? log, CancellationToken cancellation)
    {
        _config = config;
        _maps = new MapsLayout(mapsPath);
        _progress = progress;
        _log = log ?? (_ => { });
        _cancellation = cancellation;
    }

    /// <summary>
    /// Creates the MAPS and trains every split of the configuration. Everything is checked before the first byte
    /// is written; the MAPS skeleton is staged and renamed into place whole; an existing MAPS is replaced only
    /// with <paramref name="overwrite"/> and only when it holds nothing but a MAPS; the MAPS is locked while written.
    /// </summary>
    public static IReadOnlyList<TrainingResult> Train(TrainingConfig config, string mapsPath, bool overwrite, string hostDescription,
        IProgress<TrainingProgress>? progress = null, Action<string>? log = null, CancellationToken cancellation = default)
    {
        config.Validate();
        var maps = new MapsLayout(mapsPath);
        using var writing = OutputLock.Acquire(maps.Root, log);
        OwnedOutput.CheckReplaceable(maps.Root, OutputKind.Maps, overwrite);
        var trainer = new Trainer(config, mapsPath, progress, log, cancellation);
        return trainer.Run(resume: false, hostDescription);
    }

    /// <summary>Completes the splits of a MAPS that a stopped run left unfinished, from their last checkpoint.</summary>
    public static IReadOnlyList<TrainingResult> Resume(string mapsPath, string hostDescription, IProgress<TrainingProgress>? progress = null,
        Action<string>? log = null, CancellationToken cancellation = default)
    {
        var maps = new MapsLayout(mapsPath);
        if (!File.Exists(maps.MapsJson))
        {
            throw new MapsNotFoundException(maps.Root);
        }
        using var writing = OutputLock.Acquire(maps.Root, log);
        var config = TrainingConfig.Build(maps.MapsJson, new Dictionary<string, object?>());
        CheckResumable(maps, config);
        return new Trainer(config, mapsPath, progress, log, cancellation).Run(resume: true, hostDescription);
    }

    /// <summary>What a MAPS created by training always has; a MAPS lacking it was not made whole and is not resumed.</summary>
    private static void CheckResumable(MapsLayout maps, TrainingConfig config)
    {
        var missing = new List<string> { maps.Environment, maps.TrainValidation }
            .Concat(config.Split.SelectMany(s => new[] { Path.Combine(maps.GroupSplit("train", s), "data.tsv"), Path.Combine(maps.GroupSplit("validation", s), "data.tsv") }))
            .Where(p => !File.Exists(p)).Select(p => Path.GetRelativePath(maps.Root, p)).ToList();
        if (config.Split.Count == 0)
        {
            missing.Add("maps.json's split list");
        }
        if (missing.Count > 0)
        {
            throw new MapsException($"'{maps.Root}' is an incomplete MAPS (it lacks {string.Join(", ", missing)}): its creation did not finish, so there is nothing to resume. Start the training again (Start-ClinicaDLTraining -Overwrite replaces it).");
        }
    }

    private IReadOnlyList<TrainingResult> Run(bool resume, string hostDescription)
    {
        // The count decides the float32 bits of every gradient: resolved once and recorded in maps.json, so a
        // resumed run and a prediction compute with the count this run trained with, whatever the thread had.
        _config.Threads = TorchRuntime.ResolveThreads(_config.Threads);
        using (TorchRuntime.UseThreads(_config.Threads))
        {
            return RunWithThreads(resume, hostDescription);
        }
    }

    private IReadOnlyList<TrainingResult> RunWithThreads(bool resume, string hostDescription)
    {
        var device = TorchRuntime.ResolveDevice(_config.Device);
        if (_config.Deterministic && !device.type.Equals(DeviceType.CPU))
        {
            // TorchSharp does not expose use_deterministic_algorithms; CPU training here is deterministic
            // (the tests check bit-identical weights), GPU kernels may not be.
            _log("deterministic = true is recorded, but TorchSharp cannot force deterministic GPU kernels.");
        }
        var splits = SplitDefinition.Read(_config.TsvPath!, _config);
        var leakage = resume ? [] : CheckSplitLeakage(splits);
        var caps = CapsImageIndex.Scan(_config.CapsDirectory!, _config.ImageQuery());
        var groups = splits.Select(s => (Split: s.Index,
            Train: DataGroup.FromTsv(s.Train, caps, _config, needLabels: _config.NetworkTask != "reconstruction"),
            Validation: DataGroup.FromTsv(s.Validation, caps, _config, needLabels: _config.NetworkTask != "reconstruction"))).ToList();
        if (_config.NetworkTask == "classification" && _config.LabelCode.Count == 0)
        {
            var labels = groups[0].Train.Images.Select(i => i.Label!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            _config.LabelCode = labels.Select((label, code) => (label, code)).ToDictionary(p => p.label, p => p.code);
        }
        foreach (var group in groups.Where(_ => _config.NetworkTask == "classification"))
        {
            var absent = group.Train.Images.Concat(group.Validation.Images).Select(i => i.Label!).Distinct().Where(l => !_config.LabelCode.ContainsKey(l)).ToList();
            if (absent.Count > 0)
            {
                throw new InvalidTableException(
                    $"Split {group.Split} has label(s) {string.Join(", ", absent)} that the training set of split {groups[0].Split} lacks (labels: {string.Join(", ", _config.LabelCode.Keys)}); a classifier cannot learn a class it never sees.");
            }
        }
        if (_config.NetworkTask == "classification" && _config.LabelCode.Count < 2)
        {
            throw new InvalidTableException($"Classification needs at least two labels in the training set; it has {string.Join(", ", _config.LabelCode.Keys)}.");
        }
        var allImages = groups.SelectMany(g => g.Train.Images.Concat(g.Validation.Images)).Select(i => i.ImagePath).Distinct().ToList();
        using var images = new ImageTensors(allImages, _config, Math.Max(1, _config.NProc), _cancellation, _log);
        _log($"Images: {images.Bytes / 1e6:F0} MB in memory, {images.OnDiskCount} read from extracted tensors; samples {string.Join("x", images.SampleShape)}" +
            (images.Parts is { } parts ? $", {parts.Count} {parts.ModeName}(s) per image." : "."));
        // Refuse an architecture that cannot take these images before anything is written.
        using (_config.NewNetwork(images.SampleShape))
        {
        }
        if (!resume)
        {
            // Train checked, under this run's lock, that an existing MAPS may be replaced: the staged skeleton replaces it.
            using var skeleton = new StagedOutput(_maps.Root, OutputKind.Maps, overwrite: true);
            WriteMaps(new MapsLayout(skeleton.Staging), splits, groups.Select(g => (g.Split, g.Train, g.Validation)).ToList(), images, hostDescription, leakage);
            skeleton.Commit();
        }
        var results = new List<TrainingResult>();
        for (var i = 0; i < groups.Count; i++)
        {
            var (split, train, validation) = groups[i];
            results.Add(TrainSplit(split, i, groups.Count, train, validation, images, device, resume));
        }
        return results;
    }

    private TrainingResult TrainSplit(int split, int splitsDone, int splitCount, DataGroup train, DataGroup validation, ImageTensors images, Device device, bool resume)
    {
        var start = _watch.Elapsed;
        var networks = BestModels.Networks(_config, images.PartsPerImage);
        // A split's tmp/ exists from its first moment to the end of its summary: without it, a split that has its
        // best models is complete. (Best models alone do not say so: a run stopped in its first epoch has them.)
        if (resume && Directory.Exists(_maps.Split(split)) && !Directory.Exists(_maps.Temporary(split))
            && networks.All(n => _config.SelectionMetrics.All(m => File.Exists(_maps.BestModel(split, m, n)))))
        {
            _log($"Split {split} is already complete.");
            return Summary(split, "Completed", null, TrainingLog.Read(_maps.TrainingLog(split, networks[0])).Rows.Count, device, images, validation, start);
        }
        var (status, message, epochs) = ("Completed", (string?)null, 0);
        Directory.CreateDirectory(_maps.Temporary(split));
        foreach (var network in networks)
        {
            if (resume && File.Exists(_maps.TrainingEnded(split, network)))
            {
                // Ended before the stop: its epochs are those of its log, not zero.
                epochs = Math.Max(epochs, TrainingLog.Read(_maps.TrainingLog(split, network)).Rows.Count);
                continue;
            }
            var outcome = TrainNetwork(split, network, splitsDone, splitCount, train, validation, images, device, resume);
            epochs = Math.Max(epochs, outcome.Epochs);
            if (outcome.Status != "Completed" && status != "Failed")
            {
                (status, message) = (outcome.Status, network is null ? outcome.Message : $"Network {network}: {outcome.Message}");
            }
            if (outcome.Status == "Failed" && !_config.SelectionMetrics.All(m => File.Exists(_maps.BestModel(split, m, network))))
            {
                _log($"Split {split} failed: {message}");
                return new TrainingResult
                {
                    Split = split, Status = status, Message = message, EpochsRun = epochs, BestEpoch = new([]),
                    ValidationMetrics = new([]), DurationSeconds = (_watch.Elapsed - start).TotalSeconds, MapsPath = _maps.Root,
                };
            }
        }
        var result = Summary(split, status, message, epochs, device, images, validation, start, train);
        Directory.Delete(_maps.Temporary(split), recursive: true);
        return result;
    }

    /// <summary>
    /// Trains one network of a split (all samples, or with multi_network the samples of its part index) epoch by
    /// epoch from its checkpoint, keeping its best models; returns how it ended.
    /// </summary>
    private (string Status, string? Message, int Epochs) TrainNetwork(int split, int? network, int splitsDone, int splitCount, DataGroup train, DataGroup validation,
        ImageTensors images, Device device, bool resume)
    {
        var start = _watch.Elapsed;
        manual_seed(_config.Seed);
        using var model = _config.NewNetwork(images.SampleShape);
        if (_config.TransferPath is not null)
        {
            var source = new MapsLayout(_config.TransferPath);
            var weights = File.Exists(source.BestModel(split, _config.TransferSelectionMetric, network)) ? source.BestModel(split, _config.TransferSelectionMetric, network) : source.BestModel(split, _config.TransferSelectionMetric);
            if (!File.Exists(weights))
            {
                throw new MapsException($"The transfer-learning MAPS has no '{weights}' (same split, best-{_config.TransferSelectionMetric}).");
            }
            model.load(weights);
        }
        model.to(device);
        using var optimizer = NewOptimizer(model);
        var best = _config.SelectionMetrics.ToDictionary(m => m, m => m == "loss" || Metrics.LowerIsBetter(m) ? double.PositiveInfinity : double.NegativeInfinity);
        var bestLoss = double.PositiveInfinity;
        var withoutImprovement = 0;
        var firstEpoch = 0;
        var checkpointPath = _maps.Checkpoint(split, network);
        var log = new TrainingLog(_maps.TrainingLog(split, network), ColumnNames());
        var name = network is null ? $"Split {split}" : $"Split {split}, network {network}";
        if (resume && File.Exists(checkpointPath))
        {
            var checkpoint = Checkpoint.Load(checkpointPath, model, optimizer);
            firstEpoch = checkpoint.Epoch + 1;
            best = checkpoint.Best;
            bestLoss = checkpoint.BestLoss;
            withoutImprovement = checkpoint.EpochsWithoutImprovement;
            log.TruncateAfter(checkpoint.Epoch);
            _log($"{name}: resuming after epoch {checkpoint.Epoch}.");
        }
        else
        {
            log.Start();
        }
        var status = "Completed";
        string? message = null;
        var epoch = firstEpoch;
        var trainSamples = images.Samples(train.Images, network);
        var validationSamples = images.Samples(validation.Images, network);
        var batches = (trainSamples.Count + _config.BatchSize - 1) / _config.BatchSize;
        var augmentations = Augmentation.Augmentations.Validate(_config.DataAugmentation);
        // Batches are prepared on a background thread only when a core is left over (GPU training, or fewer torch
        // threads than cores). On a CPU run that uses every core, the thread's tensor operations compete with the
        // training step for libtorch's thread pool and cost more than they hide: pipeline/compute with ClinicaDL's
        // augmentations, 2 cores, 0.74 (image) and 0.80 (patch) with the thread, 0.92 and 0.96 without.
        var prefetch = !device.type.Equals(DeviceType.CPU) || get_num_threads() < Environment.ProcessorCount;
        var phase = network is null ? "training" : $"training network {network + 1} of {images.PartsPerImage}";
        for (; epoch < _config.Epochs; epoch++)
        {
            model.train();
            var order = SampleOrder(trainSamples, epoch);
            List<LabeledImage> BatchSamples(int b) => order.Skip(b * _config.BatchSize).Take(_config.BatchSize).Select(i => trainSamples[i]).ToList();
            var currentEpoch = epoch;
            using var prefetcher = prefetch ? new BatchPrefetcher(batches, b => PrepareBatch(images, BatchSamples(b), augmentations, currentEpoch, b), _cancellation) : null;
            optimizer.zero_grad();
            for (var b = 0; b < batches; b++)
            {
                _cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var batch = BatchSamples(b);
                using var input = prefetcher?.Next() ?? PrepareBatch(images, batch, augmentations, epoch, b);
                var onDevice = input.to(device);
                var output = model.forward(onDevice);
                var loss = LossFunction.Compute(_config, output, Evaluation.Targets(batch, onDevice, _config, device));
                var value = loss.item<float>();
                if (!float.IsFinite(value))
                {
                    status = "Failed";
                    message = $"The training loss became {value} at epoch {epoch}, batch {b}: lower the learning rate (now {_config.LearningRate}) or check the images.";
                    break;
                }
                loss.backward();
                if ((b + 1) % _config.AccumulationSteps == 0 || b == batches - 1)
                {
                    optimizer.step();
                    optimizer.zero_grad();
                }
                _progress?.Report(new TrainingProgress(split, splitsDone, splitCount, epoch, _config.Epochs, b + 1, batches, phase, _watch.Elapsed));
            }
            if (status == "Failed")
            {
                break;
            }
            _progress?.Report(new TrainingProgress(split, splitsDone, splitCount, epoch, _config.Epochs, batches, batches, "evaluating", _watch.Elapsed));
            var trainMetrics = Evaluation.Run(model, trainSamples, images, _config, device, true, _cancellation).AllMetrics();
            var validationMetrics = Evaluation.Run(model, validationSamples, images, _config, device, true, _cancellation).AllMetrics();
            log.Append(epoch, (epoch + 1) * batches, (_watch.Elapsed - start).TotalSeconds, trainMetrics, validationMetrics);
            foreach (var metric in _config.SelectionMetrics)
            {
                var current = validationMetrics[metric];
                var improved = metric == "loss" || Metrics.LowerIsBetter(metric) ? current < best[metric] : current > best[metric];
                if (improved)
                {
                    best[metric] = current;
                    Directory.CreateDirectory(_maps.Best(split, metric));
                    SaveModel(model, _maps.BestModel(split, metric, network));
                }
            }
            var validationLoss = validationMetrics["loss"];
            if (validationLoss < bestLoss - bestLoss * _config.Tolerance)
            {
                (bestLoss, withoutImprovement) = (validationLoss, 0);
            }
            else
            {
                withoutImprovement++;
            }
            if (_config.SaveAllModels)
            {
                Directory.CreateDirectory(Path.Combine(_maps.Split(split), "all_models"));
                SaveModel(model, Path.Combine(_maps.Split(split), "all_models", $"{(network is null ? "" : $"network-{network}_")}model_epoch_{epoch}.pt"));
            }
            new Checkpoint { Epoch = epoch, Best = best, BestLoss = bestLoss, EpochsWithoutImprovement = withoutImprovement }.Save(checkpointPath, model, optimizer);
            _log($"{name}, epoch {epoch}: train loss {trainMetrics["loss"]:F4}, validation loss {validationLoss:F4}" +
                (validationMetrics.TryGetValue("BA", out var ba) ? $", validation BA {ba:F3}" : ""));
            if (_config.Patience > 0 && withoutImprovement >= _config.Patience)
            {
                status = "EarlyStopped";
                message = $"Validation loss did not improve for {_config.Patience} epoch(s).";
                epoch++;
                break;
            }
        }
        if (status != "Failed")
        {
            // Its training ended: a resumed run must not train it again.
            AtomicFile.WriteAllText(_maps.TrainingEnded(split, network), $"{status} after {epoch} epoch(s)\n");
            File.Delete(checkpointPath);
        }
        // The trained model, its gradients and the optimizer's state (about 670 MB for Conv5_FC3 at full size) are
        // freed before the best models are evaluated, so they no longer add to the run's peak memory.
        return (status, message, epoch);
    }

    /// <summary>
    /// One training batch from the image cache, augmented when asked. Augmentation is seeded by run, epoch and
    /// batch, not by history, so a resumed run augments exactly as an uninterrupted one, whichever thread runs it.
    /// </summary>
    private Tensor PrepareBatch(ImageTensors images, List<LabeledImage> batch, IReadOnlyList<string> augmentations, int epoch, int b)
    {
        var input = images.Batch(batch);
        if (augmentations.Count == 0)
        {
            return input;
        }
        using (input)
        {
            using var generator = new Generator((ulong)(_config.Seed * 1_000_003L + epoch * 10_007L + b));
            return Augmentation.Augmentations.Apply(input, augmentations, generator);
        }
    }

    /// <summary>Reloads each best model, evaluates train and validation with confidence intervals and writes their results.</summary>
    private TrainingResult Summary(int split, string status, string? message, int epochs, Device device, ImageTensors images, DataGroup validation,
        TimeSpan start, DataGroup? train = null)
    {
        var validationMetrics = new Dictionary<string, double>();
        var networks = BestModels.Networks(_config, images.PartsPerImage);
        var bestEpoch = new Dictionary<string, int>();
        foreach (var network in networks)
        {
            var rows = TrainingLog.Read(_maps.TrainingLog(split, network));
            foreach (var metric in _config.SelectionMetrics)
            {
                bestEpoch[network is null ? metric : $"{metric} (network {network})"] = TrainingLog.BestEpoch(rows, metric);
            }
        }
        foreach (var metric in train is null ? [] : _config.SelectionMetrics)
        {
            // As ClinicaDL, an autoencoder's first input and its reconstruction are kept per group, to look at.
            Action<LabeledImage, Tensor, Tensor>? KeepFirst(string group) => _config.NetworkTask == "reconstruction"
                ? ReconstructionFiles.Writer(_maps.Results(split, metric, group), images, _config, tensors: true, nifti: false, limit: 1)
                : null;
            // Validation first: its part-level outcomes weight the image-level vote of both groups.
            var validationEvaluation = BestModels.Evaluate(_maps, split, metric, _config, images, validation.Images, device, true, _cancellation, KeepFirst("validation"));
            var trainEvaluation = BestModels.Evaluate(_maps, split, metric, _config, images, train!.Images, device, true, _cancellation, KeepFirst("train"));
            IEnumerable<(int, bool)> ValidationOutcomes() => PartVoting.Outcomes(validationEvaluation, images.Parts!);
            foreach (var (name, evaluation) in new[] { ("validation", validationEvaluation), ("train", trainEvaluation) })
            {
                var (_, estimates) = ResultWriter.WriteGroup(_maps.Results(split, metric, name), name, evaluation, images.Parts, ValidationOutcomes, _config.SelectionThreshold,
                    _config.BootstrapResamples, _config.Seed, _config.CapsDirectory!);
                if (name == "validation" && metric == _config.SelectionMetrics[0])
                {
                    validationMetrics = estimates!.ToDictionary(e => e.Key, e => e.Value.Value);
                }
            }
        }
        if (train is null)
        {
            validationMetrics = MapsResults.Read(_maps.Root, "validation", split, _config.SelectionMetrics[0]).FirstOrDefault()?.Values.ToDictionary(v => v.Key, v => v.Value.Value)
                ?? [];
        }
        return new TrainingResult
        {
            Split = split, Status = status, Message = message, EpochsRun = epochs, BestEpoch = new(bestEpoch), ValidationMetrics = new(validationMetrics),
            DurationSeconds = (_watch.Elapsed - start).TotalSeconds, MapsPath = _maps.Root,
        };
    }

    /// <summary>
    /// The order of the training samples in an epoch, from the seed and the epoch alone (so a resumed run draws
    /// the same batches): a permutation, or for the weighted sampler a draw with replacement, weight 1 / class
    /// count (regression: 5 equal-width bins of the label), as ClinicaDL.
    /// </summary>
    private List<int> SampleOrder(IReadOnlyList<LabeledImage> samples, int epoch)
    {
        var random = new Random(unchecked(_config.Seed * 7919 + epoch));
        if (_config.Sampler == "random")
        {
            var order = Enumerable.Range(0, samples.Count).ToArray();
            random.Shuffle(order);
            return [.. order];
        }
        var classes = _config.NetworkTask == "classification"
            ? samples.Select(s => s.Label!).ToList()
            : Bins(samples.Select(s => double.Parse(s.Label!, CultureInfo.InvariantCulture)).ToList());
        var counts = classes.GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        var weights = classes.Select(c => 1.0 / counts[c]).ToArray();
        var total = weights.Sum();
        var cumulative = new double[weights.Length];
        var running = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            running += weights[i] / total;
            cumulative[i] = running;
        }
        return Enumerable.Range(0, samples.Count).Select(_ =>
        {
            var index = Array.BinarySearch(cumulative, random.NextDouble());
            return Math.Min(index < 0 ? ~index : index, samples.Count - 1);
        }).ToList();
    }

    private static List<string> Bins(List<double> values)
    {
        double min = values.Min(), width = (values.Max() - min) / 5;
        return values.Select(v => width == 0 ? "0" : Math.Min(4, (int)((v - min) / width)).ToString(CultureInfo.InvariantCulture)).ToList();
    }

    private optim.Optimizer NewOptimizer(nn.Module<Tensor, Tensor> model) => _config.Optimizer switch
    {
        "Adam" => optim.Adam(model.parameters(), _config.LearningRate, weight_decay: _config.WeightDecay),
        "AdamW" => optim.AdamW(model.parameters(), _config.LearningRate, weight_decay: _config.WeightDecay),
        "SGD" => optim.SGD(model.parameters(), _config.LearningRate, weight_decay: _config.WeightDecay),
        "RMSprop" => optim.RMSProp(model.parameters(), _config.LearningRate, weight_decay: _config.WeightDecay),
        "Adagrad" => optim.Adagrad(model.parameters(), _config.LearningRate, weight_decay: _config.WeightDecay),
        "Adadelta" => optim.Adadelta(model.parameters(), _config.LearningRate, weight_decay: _config.WeightDecay),
        _ => optim.Adamax(model.parameters(), _config.LearningRate, weight_decay: _config.WeightDecay),
    };

    private static void SaveModel(nn.Module<Tensor, Tensor> model, string path)
    {
        var temporary = path + ".tmp";
        try
        {
            model.save(temporary);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            // A failed save (a full disk) leaves no partial model behind.
            File.Delete(temporary);
        }
    }

    private List<string> ColumnNames() => [.. TrainingConfig.MetricNames(_config.NetworkTask), "loss"];

    /// <summary>
    /// Refuses splits that fail the leakage checks that apply to a training (naming the participants), unless the
    /// configuration's override is set: then the findings are returned to be recorded in the MAPS.
    /// </summary>
    private IReadOnlyList<string> CheckSplitLeakage(IReadOnlyList<SplitDefinition> splits)
    {
        var audit = Splits.DataLeakageAuditor.AuditTraining(splits.Select(s => s.Folder).ToList(), SplitDefinition.TrainFile(_config), SplitDefinition.ValidationFile(_config));
        var errors = audit.Findings.Where(f => f.Severity == "Error").Select(f => $"{f.Kind}: {f.Message} Participants: {string.Join(", ", f.Participants.Take(20))}{(f.Participants.Count > 20 ? ", ..." : "")}").ToList();
        if (errors.Count > 0 && !_config.DataLeakageOverride)
        {
            throw new DataLeakageException(
                $"The split '{_config.TsvPath}' fails the leakage checks a training needs, so nothing was written: {string.Join(" ", errors)} " +
                "Fix the split (New-ClinicaDLSplit makes leak-free ones; Test-ClinicaDLDataLeakage audits a tree), or train anyway with -AllowDataLeakage, which is recorded in the MAPS.",
                audit.Findings.SelectMany(f => f.Participants).Distinct().Order(StringComparer.Ordinal).ToList());
        }
        foreach (var error in errors)
        {
            _log($"Data leakage allowed by the override: {error}");
        }
        return errors;
    }

    private void WriteMaps(MapsLayout target, IReadOnlyList<SplitDefinition> splits, List<(int Split, DataGroup Train, DataGroup Validation)> groups, ImageTensors images,
        string hostDescription, IReadOnlyList<string> leakage)
    {
        var sampleShape = images.SampleShape;
        Directory.CreateDirectory(target.Root);
        var json = JsonNode.Parse(_config.ToJson())!.AsObject();
        json["architecture"] = _config.ResolvedArchitecture;
        json["label"] = _config.NetworkTask == "reconstruction" ? null : _config.ResolvedLabel;
        json["loss"] = _config.ResolvedLoss;
        json["validation"] = Directory.EnumerateDirectories(_config.TsvPath!, "split-*").Any() ? "KFoldSplit" : "SingleSplit";
        // As ClinicaDL: the parts per image, whether one network takes them all or each has its own.
        json["num_networks"] = images.PartsPerImage;
        json["mode"] = images.Parts?.ModeName ?? "image";
        if (_config.PreprocessingDict is not null && images.Parts?.Mode == Extraction.ExtractionMode.Roi)
        {
            json["preprocessing_dict"]!["roi_background_value"] = 0;
        }
        // As ClinicaDL: classes, 1, or for an autoencoder the shape it gives back.
        json["output_size"] = _config.NetworkTask == "reconstruction" ? new JsonArray(sampleShape.Select(s => (JsonNode?)s).ToArray()) : _config.OutputSize;
        json["input_size"] = new JsonArray(sampleShape.Select(s => (JsonNode?)s).ToArray());
        json["n_splits"] = json["validation"]!.GetValue<string>() == "KFoldSplit" ? Directory.EnumerateDirectories(_config.TsvPath!, "split-*").Count() : 0;
        json["split"] = new JsonArray(splits.Select(s => (JsonNode?)s.Index).ToArray());
        if (leakage.Count > 0)
        {
            json[TrainingConfig.LeakageFindingsKey] = new JsonArray(leakage.Select(l => (JsonNode?)l).ToArray());
        }
        AtomicFile.WriteAllText(target.MapsJson, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        AtomicFile.WriteAllText(target.Environment, hostDescription);
        AtomicFile.WriteAllText(target.InformationLog,
            $"- Date :\t{DateTime.Now.ToString("dd MMM yyyy, HH:mm:ss", CultureInfo.InvariantCulture)}\n- Path :\t{_maps.Root}\n- Model :\t{_config.ResolvedArchitecture} for inputs {string.Join("x", sampleShape)}, {_config.OutputSize} output(s)\n" +
            string.Concat(leakage.Select(l => $"- Data leakage allowed (-AllowDataLeakage) :\t{l}\n")));
        var groupJson = new JsonObject { ["caps_directory"] = _config.CapsDirectory, ["multi_cohort"] = false }.ToJsonString() + "\n";
        foreach (var (split, train, validation) in groups)
        {
            foreach (var (name, group) in new[] { ("train", train), ("validation", validation) })
            {
                Directory.CreateDirectory(target.GroupSplit(name, split));
                GroupTable(group).Write(Path.Combine(target.GroupSplit(name, split), "data.tsv"));
                AtomicFile.WriteAllText(Path.Combine(target.GroupSplit(name, split), "maps.json"), groupJson);
            }
        }
        SeenParticipants(groups).Write(target.TrainValidation);
    }

    private TsvTable GroupTable(DataGroup group) => new(["participant_id", "session_id", "cohort", _config.ResolvedLabel],
        group.Images.Select(i => new string?[] { i.ParticipantId, i.SessionId, "single", i.Label }));

    /// <summary>
    /// Every session seen in training: all splits' train and validation data, the parent hold-out split's
    /// train.tsv when there is one, and the transfer-learning source's own list.
    /// </summary>
    private TsvTable SeenParticipants(List<(int Split, DataGroup Train, DataGroup Validation)> groups)
    {
        var seen = groups.SelectMany(g => g.Train.Images.Concat(g.Validation.Images)).Select(i => (i.ParticipantId, i.SessionId)).ToHashSet();
        foreach (var extra in new[] { Path.Combine(Path.GetDirectoryName(Path.GetFullPath(_config.TsvPath!))!, "train.tsv"),
                     _config.TransferPath is null ? null : new MapsLayout(_config.TransferPath).TrainValidation })
        {
            if (extra is not null && File.Exists(extra))
            {
                var table = TsvTable.Read(extra);
                if (table.HasColumn("participant_id") && table.HasColumn("session_id"))
                {
                    seen.UnionWith(table.Rows.Select(r => (r[table.IndexOf("participant_id")]!, r[table.IndexOf("session_id")]!)));
                }
            }
        }
        return new TsvTable(["participant_id", "session_id"], seen.OrderBy(s => s.ParticipantId, StringComparer.Ordinal).ThenBy(s => s.SessionId, StringComparer.Ordinal)
            .Select(s => new string?[] { s.ParticipantId, s.SessionId }));
    }
}
