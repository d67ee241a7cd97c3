using System.Diagnostics;
using System.Text.Json.Nodes;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Runtime;
using ClinicaDL.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Workflows;

/// <summary>
/// Trains classification, regression and reconstruction networks into a MAPS, split by split, on whole images or
/// on the patches, slices or regions an extraction JSON describes (then results are written per part and, by
/// voting, per image): one dispose scope per batch, the whole train and validation sets evaluated after every
/// epoch, a training.tsv row and an atomic checkpoint per epoch, best-&lt;metric&gt;/ updated when a selection
/// metric strictly improves, early stopping, gradient accumulation, each epoch's learning rate from the schedule or
/// the validation loss's plateaus. A stopped run resumes from its checkpoints to the same result.
/// </summary>
public sealed partial class Trainer
{
    private readonly TrainingConfig _config;
    private readonly MapsLayout _maps;
    private readonly MapsFolder? _transferSource;
    private readonly IProgress<TrainingProgress>? _progress;
    private readonly Action<string> _log;
    private readonly CancellationToken _cancellation;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private string _hostDescription = "";

    private Trainer(TrainingConfig config, MapsLayout maps, MapsFolder? transferSource, IProgress<TrainingProgress>? progress, Action<string>? log, CancellationToken cancellation,
        JsonObject? resumedDescription = null)
    {
        (_config, _maps, _transferSource, _progress, _cancellation, _resumedDescription) = (config, maps, transferSource, progress, cancellation, resumedDescription);
        _log = log ?? (_ => { });
    }

    /// <summary>The maps.json a resume read its configuration from: checked again once the splits are locked.</summary>
    private readonly JsonObject? _resumedDescription;

    /// <summary>
    /// Creates the MAPS and trains every split of the configuration. Everything is checked before the first byte
    /// is written; the MAPS skeleton is staged and renamed into place whole; an existing MAPS is replaced only
    /// with <paramref name="overwrite"/> and only when it holds nothing but a MAPS and no live process trains one of
    /// its splits. Without <paramref name="overwrite"/>, a MAPS made by another process with the same configuration
    /// for other splits is joined (<see cref="MapsSkeleton.Join"/>): two processes started with -Split 0 and -Split 1
    /// write the MAPS one process would. Each split is locked while trained.
    /// </summary>
    public static IReadOnlyList<TrainingResult> Train(TrainingConfig config, string mapsPath, bool overwrite, string hostDescription,
        IProgress<TrainingProgress>? progress = null, Action<string>? log = null, CancellationToken cancellation = default) =>
        Start(config, mapsPath, overwrite, hostDescription, train: true, progress, log, cancellation);

    /// <summary>
    /// Creates the MAPS as <see cref="Train"/> does (every check, the shared files, every split's groups) without
    /// training: its splits are then trained by other processes, each resuming its own (-Split k), as SLURM tasks or
    /// local child processes. Returns the splits to train.
    /// </summary>
    public static IReadOnlyList<int> Prepare(TrainingConfig config, string mapsPath, bool overwrite, string hostDescription,
        Action<string>? log = null, CancellationToken cancellation = default)
    {
        Start(config, mapsPath, overwrite, hostDescription, train: false, null, log, cancellation);
        // This run's splits, not maps.json's list, which holds those of processes this one joined.
        return config.Split.Count > 0 ? config.Split : MapsFolder.Open(mapsPath).TrainedSplits;
    }

    private static IReadOnlyList<TrainingResult> Start(TrainingConfig config, string mapsPath, bool overwrite, string hostDescription, bool train,
        IProgress<TrainingProgress>? progress, Action<string>? log, CancellationToken cancellation)
    {
        config.Validate();
        var transferSource = config.TransferPath is null ? null : MapsFolder.OpenTransferSource(config.TransferPath, config.TransferSelectionMetric);
        var maps = new MapsLayout(mapsPath);
        // Refused early unless replaced or possibly joined; decided for good under the shared files' lock, once the data is read.
        if (overwrite || !MapsFolder.Exists(maps.Root))
        {
            MapsFolder.CheckCreatable(maps.Root, overwrite);
        }
        return new Trainer(config, maps, transferSource, progress, log, cancellation).Run(resume: false, hostDescription, overwrite, train);
    }

    /// <summary>
    /// Completes the splits of a MAPS that a stopped run left unfinished (all, or <paramref name="splits"/>), from their
    /// last checkpoint or from the start when they have none, on the device it was trained on or on
    /// <paramref name="device"/> (a run started on a GPU node finished on another machine). A split another live
    /// process trains is refused, naming it.
    /// </summary>
    public static IReadOnlyList<TrainingResult> Resume(string mapsPath, string hostDescription, IProgress<TrainingProgress>? progress = null,
        Action<string>? log = null, CancellationToken cancellation = default, string? device = null, IReadOnlyList<int>? splits = null)
    {
        var maps = MapsFolder.Open(mapsPath);
        maps.CheckResumable();
        var config = maps.Configuration;
        if (splits is not null)
        {
            if (splits.Except(config.Split).ToList() is { Count: > 0 } unknown)
            {
                throw new ArgumentException($"'{maps.Root}' has no split {string.Join(", ", unknown)} to resume: its splits are {string.Join(", ", config.Split)} (maps.json).");
            }
            config.Split = [.. splits.Distinct().Order()];
        }
        if (device is not null && !string.Equals(device, config.Device, StringComparison.OrdinalIgnoreCase))
        {
            // Kernels differ between devices: the resumed epochs are not bit-identical to an uninterrupted run's.
            log?.Invoke($"Resuming on {device}; the MAPS was trained so far on {config.Device}. The results' description.log files name the device.");
            config.Device = device;
            config.Validate();
        }
        var transferSource = config.TransferPath is null ? null : MapsFolder.Open(config.TransferPath);
        return new Trainer(config, maps.Layout, transferSource, progress, log, cancellation, maps.Description).Run(resume: true, hostDescription, overwrite: false, train: true);
    }

    /// <summary>
    /// The splits of a MAPS (all, or <paramref name="splits"/>) left to train by other processes: those not complete
    /// and not being trained by a live process (each of which <paramref name="skipped"/> is told of).
    /// </summary>
    public static IReadOnlyList<int> Unfinished(string mapsPath, IReadOnlyList<int>? splits, Action<string> skipped)
    {
        var maps = MapsFolder.Open(mapsPath);
        maps.CheckResumable();
        if (splits?.Except(maps.TrainedSplits).ToList() is { Count: > 0 } unknown)
        {
            throw new ArgumentException($"'{maps.Root}' has no split {string.Join(", ", unknown)} to resume: its splits are {string.Join(", ", maps.TrainedSplits)} (maps.json).");
        }
        var unfinished = new List<int>();
        foreach (var split in maps.FindIncompleteSplits().Where(s => splits is null || splits.Contains(s)))
        {
            if (OutputLock.LiveHolder(maps.Split(split).Root) is { } holder)
            {
                skipped($"Split {split} is being trained by {holder}: left to it.");
                continue;
            }
            unfinished.Add(split);
        }
        return unfinished;
    }

    private IReadOnlyList<TrainingResult> Run(bool resume, string hostDescription, bool overwrite, bool train)
    {
        _hostDescription = hostDescription;
        // The count decides the float32 bits of every gradient: resolved once and recorded in maps.json, so a
        // resumed run and a prediction compute with the count this run trained with, whatever the thread had.
        _config.Threads = TorchRuntime.ResolveThreads(_config.Threads);
        using var threads = TorchRuntime.UseThreads(_config.Threads);
        // A MAPS prepared for other processes may be made on a machine without their device (a login node without the GPU).
        var device = train ? TorchRuntime.ResolveDevice(_config.Device) : CPU;
        if (_config.Deterministic && !device.type.Equals(DeviceType.CPU))
        {
            // TorchSharp does not expose use_deterministic_algorithms; CPU training here is deterministic
            // (the tests check bit-identical weights), GPU kernels may not be.
            _log("deterministic = true is recorded, but TorchSharp cannot force deterministic GPU kernels.");
        }
        if (train && _config.Amp && MixedPrecision.Refusal(device) is { } refusal)
        {
            throw new ArgumentException(refusal + ".");
        }
        var splits = SplitDefinition.Read(_config.TsvPath!, _config);
        var leakage = resume ? [] : TrainingLeakage.Check(_config, splits, _log);
        var caps = CapsImageIndex.Scan(_config.CapsDirectory!, _config.ImageQuery());
        var needLabels = _config.Task.NeedsLabels;
        var groups = splits.Select(s => (Split: s.Index, Train: DataGroup.FromTsv(s.Train, caps, _config, needLabels),
            Validation: DataGroup.FromTsv(s.Validation, caps, _config, needLabels))).ToList();
        LabelCoding.Resolve(_config, groups);
        var allImages = groups.SelectMany(g => g.Train.Images.Concat(g.Validation.Images)).Select(i => i.ImagePath).Distinct().ToList();
        using var images = new ImageTensors(allImages, _config, Math.Max(1, _config.NProc), _cancellation, _log);
        _log($"Images: {images.Bytes / 1e6:F0} MB in memory, {images.OnDiskCount} read from extracted tensors; samples {string.Join("x", images.SampleShape)}" +
            (images.Parts is { } parts ? $", {parts.Count} {parts.ModeName}(s) per image." : "."));
        // Refuse an architecture that cannot take these images, or amp, before anything is written.
        using (var network = _config.NewNetwork(images.SampleShape))
        {
            if (_config.Amp && MixedPrecision.Unsupported(network) is { } unsupported)
            {
                throw new ArgumentException(unsupported + ".");
            }
        }
        using var target = _config.SsdaNetwork ? LoadTarget(splits, groups, images) : null;
        using var claimed = Claim(resume, overwrite, splits, groups, images, hostDescription, leakage, target);
        if (!train)
        {
            return [];
        }
        return groups.Select((g, i) => target is null ? TrainSplit(g.Split, i, groups.Count, g.Train, g.Validation, images, device, resume)
            : TrainDomainAdaptationSplit(g.Split, i, groups.Count, g.Train, g.Validation, images, target, device, resume)).ToList();
    }

    /// <summary>
    /// Under the lock of the MAPS' shared files: creates them (staged and renamed into place whole, replacing a MAPS
    /// only with <paramref name="overwrite"/> and when no live process trains one of its splits) or joins those another
    /// process made, then locks this run's splits. Holding the shared lock while taking the split locks means a
    /// replacement never removes a split being trained.
    /// </summary>
    private IDisposable Claim(bool resume, bool overwrite, IReadOnlyList<SplitDefinition> splits, IReadOnlyList<(int Split, DataGroup Train, DataGroup Validation)> groups,
        ImageTensors images, string hostDescription, IReadOnlyList<string> leakage, DomainAdaptationData? target)
    {
        using var shared = MapsWriting.SharedFiles(_maps.Root, _log);
        if (_resumedDescription is not null && MapsSkeleton.DifferingKeys(MapsFolder.Open(_maps.Root).Description, _resumedDescription) is { Count: > 0 } changed)
        {
            // Replaced (-Overwrite) while this resume read its images: the splits would train the old configuration into the new MAPS.
            throw new MapsException($"'{_maps.Root}' was replaced while this resume read its data (maps.json now differs in {string.Join(", ", changed)}): nothing was trained. Resume it again to continue the new MAPS.");
        }
        if (!resume)
        {
            var seen = target?.Seen.Select(i => (i.ParticipantId, i.SessionId));
            if (!overwrite && MapsFolder.Exists(_maps.Root))
            {
                MapsSkeleton.Join(_maps, _config, splits, groups, images, leakage, seen);
                _log($"Joined the MAPS '{_maps.Root}' another process created, adding split(s) {string.Join(", ", groups.Select(g => g.Split))}.");
            }
            else
            {
                if (MapsWriting.LiveSplitWriters(_maps) is { Count: > 0 } writers)
                {
                    throw new OutputInUseException(_maps.Root, string.Join("; ", writers));
                }
                MapsFolder.CheckCreatable(_maps.Root, overwrite);
                using var skeleton = new StagedOutput(_maps.Root, OutputKind.Maps, overwrite: true);
                MapsSkeleton.Write(new MapsLayout(skeleton.Staging), _maps.Root, _config, splits, groups, images, hostDescription, leakage, seen);
                skeleton.Commit();
            }
            if (_config.ArchitectureFile is { } networkFile)
            {
                // From here every network (each split's, the twin, the kept models) is built from the MAPS' copy, the
                // one maps.json names, not from the user's file, which may change during an hours-long run.
                _config.Architecture = Path.GetFileName(_maps.NetworkFile(Path.GetExtension(networkFile)));
                _config.ArchitectureFolder = _maps.Root;
            }
        }
        return MapsWriting.Splits(_maps.Root, groups.Select(g => g.Split), _log);
    }

    /// <summary>
    /// Adds this run to the split's environment.txt (the node, SLURM job, threads and device, then the software), so
    /// that a split trained as a SLURM task, or resumed on another node, says where each part of it ran.
    /// </summary>
    private void RecordEnvironment(SplitLayout folder, bool resume)
    {
        Directory.CreateDirectory(folder.Root);
        var earlier = File.Exists(folder.Environment) ? File.ReadAllText(folder.Environment) : "";
        var job = Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID") is { Length: > 0 } array
            ? $", SLURM job {array} task {Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID")}"
            : Environment.GetEnvironmentVariable("SLURM_JOB_ID") is { Length: > 0 } id ? $", SLURM job {id}" : "";
        AtomicFile.WriteAllText(folder.Environment, earlier + (earlier.Length > 0 ? "\n" : "") +
            $"# split {folder.Index} {(resume ? "resumed" : "started")} {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} on {Environment.MachineName}{job}, " +
            $"threads {_config.Threads}, device {_config.Device}\n" + _hostDescription);
    }

    private TrainingResult TrainSplit(int split, int splitsDone, int splitCount, DataGroup train, DataGroup validation, ImageTensors images, Device device, bool resume)
    {
        var start = _watch.Elapsed;
        var folder = _maps.Split(split);
        var networks = BestModels.Networks(_config, images.PartsPerImage);
        if (resume && folder.IsTrained(networks, _config.SelectionMetrics))
        {
            _log($"Split {split} is already complete.");
            return Summary(folder, TrainingStatus.Completed, null, TsvRows(folder.TrainingLog(networks[0])), device, images, validation, start);
        }
        var (status, message, epochs) = (TrainingStatus.Completed, (string?)null, 0);
        RecordEnvironment(folder, resume && Directory.Exists(folder.Temporary));
        Directory.CreateDirectory(folder.Temporary);
        foreach (var network in networks)
        {
            if (resume && File.Exists(folder.TrainingEnded(network)))
            {
                // Ended before the stop: its epochs are those of its log, not zero.
                epochs = Math.Max(epochs, TsvRows(folder.TrainingLog(network)));
                continue;
            }
            var outcome = new NetworkTraining(this, folder, network, images, device).Run(splitsDone, splitCount, train, validation, resume);
            epochs = Math.Max(epochs, outcome.Epochs);
            if (outcome.Status != TrainingStatus.Completed && status != TrainingStatus.Failed)
            {
                (status, message) = (outcome.Status, network is null ? outcome.Message : $"Network {network}: {outcome.Message}");
            }
            if (outcome.Status == TrainingStatus.Failed && !_config.SelectionMetrics.All(m => File.Exists(folder.BestModel(m, network))))
            {
                _log($"Split {split} failed: {message}");
                return new TrainingResult
                {
                    Split = split, Status = status, Message = message, EpochsRun = epochs, BestEpoch = new([]),
                    ValidationMetrics = new([]), DurationSeconds = (_watch.Elapsed - start).TotalSeconds, MapsPath = _maps.Root,
                };
            }
        }
        WriteClinicaDlModels(folder, networks, images.SampleShape);
        var result = Summary(folder, status, message, epochs, device, images, validation, start, train);
        Directory.Delete(folder.Temporary, recursive: true);
        return result;
    }

    private static int TsvRows(string path) => TrainingLog.Read(path).Rows.Count;

    /// <summary>
    /// ClinicaDL's model.pth.tar beside each best model.pt, with the epoch it was kept at, so that clinicadl predict
    /// and torch.load read the MAPS. Written once the split's training has ended rather than at every improvement: a
    /// full-size Conv5_FC3 holds 170 MB of weights, pickled and copied into the zip on each write.
    /// </summary>
    private void WriteClinicaDlModels(SplitLayout folder, IReadOnlyList<int?> networks, long[] sampleShape, string? selectionLog = null)
    {
        if (Networks.NetworkRegistry.ClinicaDlMismatch(_config.ResolvedArchitecture, sampleShape) is { } mismatch)
        {
            _log($"No model.pth.tar for ClinicaDL: {mismatch}.");
            return;
        }
        foreach (var network in networks)
        {
            var rows = TrainingLog.Read(selectionLog ?? folder.TrainingLog(network));
            foreach (var metric in _config.SelectionMetrics.Where(m => File.Exists(folder.BestModel(m, network))))
            {
                using var model = _config.NewNetwork(sampleShape);
                ModelFile.Load(model, folder.BestModel(metric, network));
                ModelFile.SaveForClinicaDl(model, folder.ClinicaDlModel(metric, network), TrainingLog.BestEpoch(rows, metric), _config.ResolvedArchitecture);
            }
        }
    }

    /// <summary>
    /// One network of a split (all samples, or with multi_network the samples of its part index) trained epoch by
    /// epoch from its checkpoint, keeping its best models.
    /// </summary>
    private sealed class NetworkTraining(Trainer trainer, SplitLayout folder, int? network, ImageTensors images, Device device)
    {
        private readonly TrainingConfig _config = trainer._config;
        private readonly IReadOnlyList<string> _augmentations = Augmentation.Augmentations.Validate(trainer._config.DataAugmentation);

        // Batches are prepared on a background thread only when a core is left over (GPU training, or fewer torch
        // threads than cores). On a CPU run that uses every core, the thread's tensor operations compete with the
        // training step for libtorch's thread pool and cost more than they hide: pipeline/compute with ClinicaDL's
        // augmentations, 2 cores, 0.74 (image) and 0.80 (patch) with the thread, 0.92 and 0.96 without.
        private readonly bool _prefetch = !device.type.Equals(DeviceType.CPU) || get_num_threads() < Environment.ProcessorCount;

        public (string Status, string? Message, int Epochs) Run(int splitsDone, int splitCount, DataGroup train, DataGroup validation, bool resume)
        {
            var start = trainer._watch.Elapsed;
            manual_seed(_config.Seed);
            using var model = _config.NewNetwork(images.SampleShape);
            if (trainer._transferSource is { } source)
            {
                TransferLearning.LoadWeights(model, source, folder.Index, network, _config, images.SampleShape);
                // Also on resume (ClinicaDL freezes only at the start), so that a resumed run trains the same parameters.
                TransferLearning.Freeze(model, _config.NbUnfrozenLayer);
            }
            model.to(device);
            using var optimizer = Optimizers.Create(_config, model);
            var selection = new BestModelSelection(_config.SelectionMetrics);
            var stopping = new EarlyStopping(_config.Patience, _config.Tolerance);
            var rates = new LearningRateSchedule(_config);
            var log = new TrainingLog(folder.TrainingLog(network), [.. _config.Task.MetricNames, "loss"]);
            var tensorBoard = new TensorBoardLog(folder.TensorBoard("train", network), folder.TensorBoard("validation", network), [.. _config.Task.MetricNames, "loss"]);
            var name = network is null ? $"Split {folder.Index}" : $"Split {folder.Index}, network {network}";
            var epoch = 0;
            Checkpoint? checkpoint = null;
            if (resume && File.Exists(folder.Checkpoint(network)))
            {
                checkpoint = Checkpoint.Load(folder.Checkpoint(network), model, optimizer);
                epoch = checkpoint.Epoch + 1;
                selection.Restore(checkpoint.Best);
                stopping.Restore(checkpoint.BestLoss, checkpoint.EpochsWithoutImprovement);
                if (checkpoint.Plateau is { } plateau)
                {
                    rates.Plateau?.Restore(plateau);
                }
                log.TruncateAfter(checkpoint.Epoch);
                tensorBoard.Rewrite(folder.TrainingLog(network));
                trainer._log($"{name}: resuming after epoch {checkpoint.Epoch}.");
            }
            else
            {
                log.Start();
                tensorBoard.Start();
            }
            // With amp the passes run on a low-precision twin of the model, made from its current (resumed or
            // transferred) weights; the optimiser keeps stepping the model itself.
            using var precision = _config.Amp ? MixedPrecision.Create(model, () => _config.NewNetwork(images.SampleShape), device) : null;
            if (precision is not null)
            {
                if (checkpoint?.LossScale is { } lossScale)
                {
                    precision.Scaler?.Restore(lossScale);
                }
                trainer._log($"{name}: {precision.Description}.");
            }
            var forwardModule = (nn.Module<Tensor, Tensor>?)precision ?? model;
            var (status, message) = (TrainingStatus.Completed, (string?)null);
            var trainSamples = images.Samples(train.Images, network);
            var validationSamples = images.Samples(validation.Images, network);
            var batches = (trainSamples.Count + _config.BatchSize - 1) / _config.BatchSize;
            var phase = network is null ? "training" : $"training network {network + 1} of {images.PartsPerImage}";
            for (; epoch < _config.Epochs; epoch++)
            {
                var progress = (int batch, string what) => trainer._progress?.Report(
                    new TrainingProgress(folder.Index, splitsDone, splitCount, epoch, _config.Epochs, batch, batches, what, trainer._watch.Elapsed));
                var rate = rates.Rate(epoch);
                Optimizers.SetLearningRate(optimizer, rate);
                message = TrainEpoch(forwardModule, precision, optimizer, trainSamples, epoch, batches, b => progress(b, phase));
                if (message is not null)
                {
                    status = TrainingStatus.Failed;
                    break;
                }
                progress(batches, "evaluating");
                var trainMetrics = Evaluation.Run(forwardModule, trainSamples, images, _config, device, true, trainer._cancellation).AllMetrics();
                var validationMetrics = Evaluation.Run(forwardModule, validationSamples, images, _config, device, true, trainer._cancellation).AllMetrics();
                log.Append(epoch, (epoch + 1) * batches, (trainer._watch.Elapsed - start).TotalSeconds, rate, trainMetrics, validationMetrics);
                tensorBoard.Append((epoch + 1) * batches, trainMetrics, validationMetrics);
                foreach (var metric in selection.Improve(validationMetrics))
                {
                    ModelFile.Save(model, folder.BestModel(metric, network));
                }
                var stop = stopping.Update(validationMetrics["loss"]);
                if (rates.EpochEnded(validationMetrics["loss"]))
                {
                    trainer._log($"{name}, epoch {epoch}: validation loss on a plateau, learning rate lowered to {rates.Rate(epoch + 1):G4}.");
                }
                if (_config.SaveAllModels)
                {
                    ModelFile.Save(model, folder.EpochModel(network, epoch));
                }
                new Checkpoint
                {
                    Epoch = epoch, Best = selection.Best, BestLoss = stopping.BestLoss, EpochsWithoutImprovement = stopping.EpochsWithoutImprovement,
                    Plateau = rates.Plateau?.Save(), LossScale = precision?.Scaler?.Save(),
                }.Save(folder.Checkpoint(network), model, optimizer);
                trainer._log($"{name}, epoch {epoch}: train loss {trainMetrics["loss"]:F4}, validation loss {validationMetrics["loss"]:F4}" +
                    (validationMetrics.TryGetValue("BA", out var ba) ? $", validation BA {ba:F3}" : ""));
                if (stop)
                {
                    (status, message) = (TrainingStatus.EarlyStopped, $"Validation loss did not improve for {_config.Patience} epoch(s).");
                    epoch++;
                    break;
                }
            }
            if (status != TrainingStatus.Failed)
            {
                // Its training ended: a resumed run must not train it again.
                AtomicFile.WriteAllText(folder.TrainingEnded(network), $"{status} after {epoch} epoch(s)\n");
                File.Delete(folder.Checkpoint(network));
            }
            // The trained model, its gradients and the optimizer's state (about 670 MB for Conv5_FC3 at full size) are
            // freed before the best models are evaluated, so they no longer add to the run's peak memory.
            return (status, message, epoch);
        }

        /// <summary>One pass over the training samples; the reason when the loss stopped being finite, else null.</summary>
        private string? TrainEpoch(nn.Module<Tensor, Tensor> model, MixedPrecision? precision, optim.Optimizer optimizer, IReadOnlyList<LabeledImage> samples, int epoch, int batches, Action<int> progress)
        {
            model.train();
            var order = SampleOrder.Draw(_config.Sampler, _config.Task, samples, _config.Seed, epoch);
            List<LabeledImage> BatchSamples(int b) => order.Skip(b * _config.BatchSize).Take(_config.BatchSize).Select(i => samples[i]).ToList();
            using var prefetcher = _prefetch ? new BatchPrefetcher(batches, b => PrepareBatch(BatchSamples(b), epoch, b), trainer._cancellation) : null;
            using (NewDisposeScope())
            {
                // zero_grad wraps each parameter's gradient in a new Tensor: in a scope they are freed here, not by a
                // finalizer (outside one, a Conv5_FC3 left 26 more live tensors after every epoch).
                optimizer.zero_grad();
            }
            for (var b = 0; b < batches; b++)
            {
                trainer._cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var batch = BatchSamples(b);
                using var input = prefetcher?.Next() ?? PrepareBatch(batch, epoch, b);
                var onDevice = input.to(device);
                var loss = model is Networks.IVariationalAutoEncoder vae
                    ? VariationalLoss.Compute(vae, _config.ResolvedLoss, onDevice).Loss
                    : LossFunction.Compute(_config, model.forward(onDevice), Evaluation.Targets(batch, onDevice, _config, device));
                var value = loss.item<float>();
                if (!float.IsFinite(value))
                {
                    return $"The training loss became {value} at epoch {epoch}, batch {b}: lower the learning rate (now {optimizer.ParamGroups.First().LearningRate}) or check the images.";
                }
                if (precision is null)
                {
                    loss.backward();
                }
                else
                {
                    precision.Backward(loss);
                }
                if ((b + 1) % _config.AccumulationSteps == 0 || b == batches - 1)
                {
                    if (precision is null)
                    {
                        optimizer.step();
                    }
                    else
                    {
                        precision.Step(optimizer);
                    }
                    optimizer.zero_grad();
                }
                progress(b + 1);
            }
            return null;
        }

        /// <summary>
        /// One training batch from the image cache, augmented when asked. Augmentation is seeded by run, epoch and
        /// batch, not by history, so a resumed run augments exactly as an uninterrupted one, whichever thread runs it.
        /// </summary>
        private Tensor PrepareBatch(List<LabeledImage> batch, int epoch, int b) =>
            AugmentedBatch(images, batch, _augmentations, (ulong)(_config.Seed * 1_000_003L + epoch * 10_007L + b));
    }

    /// <summary>
    /// A batch from an image cache, augmented when asked from a generator of the given seed (the trainers seed it by
    /// run, epoch and batch, never by history, so a resumed run augments as an uninterrupted one).
    /// </summary>
    private static Tensor AugmentedBatch(ImageTensors from, List<LabeledImage> batch, IReadOnlyList<string> augmentations, ulong seed)
    {
        var input = from.Batch(batch);
        if (augmentations.Count == 0)
        {
            return input;
        }
        using (input)
        {
            using var generator = new Generator(seed);
            return Augmentation.Augmentations.Apply(input, augmentations, generator);
        }
    }

    /// <summary>Reloads each best model, evaluates train and validation with confidence intervals and writes their results.</summary>
    private TrainingResult Summary(SplitLayout folder, string status, string? message, int epochs, Device device, ImageTensors images, DataGroup validation,
        TimeSpan start, DataGroup? train = null, string? selectionLog = null, string? capsDirectory = null)
    {
        var validationMetrics = new Dictionary<string, double>();
        var bestEpoch = SplitOutcome.BestEpochs(_config.SelectionMetrics,
            BestModels.Networks(_config, images.PartsPerImage).Select(n => (n, TrainingLog.Read(selectionLog ?? folder.TrainingLog(n)))));
        foreach (var metric in train is null ? [] : _config.SelectionMetrics)
        {
            // As ClinicaDL, an autoencoder's first input and its reconstruction are kept per group, to look at.
            Action<LabeledImage, Tensor, Tensor>? KeepFirst(string group) => _config.Task == TrainingTask.Reconstruction
                ? ReconstructionFiles.Writer(folder.Results(metric, group), images, _config, tensors: true, nifti: false, limit: 1)
                : null;
            // Validation first: its part-level outcomes weight the image-level vote of both groups.
            var validationEvaluation = BestModels.Evaluate(folder, metric, _config, images, validation.Images, device, true, _cancellation, KeepFirst("validation"));
            var trainEvaluation = BestModels.Evaluate(folder, metric, _config, images, train!.Images, device, true, _cancellation, KeepFirst("train"));
            IEnumerable<(int, bool)> ValidationOutcomes() => PartVoting.Outcomes(validationEvaluation, images.Parts!);
            foreach (var (name, evaluation) in new[] { ("validation", validationEvaluation), ("train", trainEvaluation) })
            {
                var (_, estimates) = ResultWriter.WriteGroup(folder.Results(metric, name), name, evaluation, images.Parts, ValidationOutcomes, _config.SelectionThreshold,
                    _config.BootstrapResamples, _config.Seed, capsDirectory ?? _config.CapsDirectory!, _config.Device);
                if (name == "validation" && metric == _config.SelectionMetrics[0])
                {
                    validationMetrics = estimates!.ToDictionary(e => e.Key, e => e.Value.Value);
                }
            }
        }
        if (train is null)
        {
            validationMetrics = SplitOutcome.ValidationMetrics(_maps.Root, folder.Index, _config.SelectionMetrics[0]);
        }
        return new TrainingResult
        {
            Split = folder.Index, Status = status, Message = message, EpochsRun = epochs, BestEpoch = new(bestEpoch), ValidationMetrics = new(validationMetrics),
            DurationSeconds = (_watch.Elapsed - start).TotalSeconds, MapsPath = _maps.Root,
        };
    }
}
