using ClinicaDL.Core.IO;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Networks;
using ClinicaDL.Core.Runtime;
using ClinicaDL.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Workflows;

public sealed partial class Trainer
{
    /// <summary>The target domain, checked with the source's splits and images before anything is written.</summary>
    private DomainAdaptationData LoadTarget(IReadOnlyList<SplitDefinition> splits, IReadOnlyList<(int Split, DataGroup Train, DataGroup Validation)> groups, ImageTensors images)
    {
        foreach (var (split, train, _) in groups.Where(g => g.Train.Images.Count < _config.BatchSize))
        {
            throw new ArgumentException($"The source training data of split {split} ('{train.Source}') has {train.Images.Count} session(s), fewer than one batch ({_config.BatchSize}): " +
                "domain adaptation drops the incomplete batch, as ClinicaDL's loaders, so no step would be made. Lower -BatchSize.");
        }
        var target = DomainAdaptationData.Load(_config, splits, images.SampleShape, _cancellation, _log);
        // As ClinicaDL, maps.json records the target extraction itself, not the name it was found by.
        if (target.Extraction is not null)
        {
            _config.PreprocessingDictTarget = target.Extraction.DeepClone();
        }
        return target;
    }

    /// <summary>
    /// A split of semi-supervised domain adaptation: trained (or resumed) by <see cref="DomainAdaptationTraining"/>,
    /// then, as ClinicaDL, its best models evaluated with the target classifier on the labelled target data, whose
    /// results are the split's train and validation groups; training_target.tsv dates the best models.
    /// </summary>
    private TrainingResult TrainDomainAdaptationSplit(int split, int splitsDone, int splitCount, DataGroup train, DataGroup validation, ImageTensors images,
        DomainAdaptationData target, Device device, bool resume)
    {
        var start = _watch.Elapsed;
        var folder = _maps.Split(split);
        var (targetTrain, targetValidation) = target.Labeled[split];
        if (resume && folder.IsTrained([null], _config.SelectionMetrics))
        {
            _log($"Split {split} is already complete.");
            return Summary(folder, TrainingStatus.Completed, null, TsvRows(folder.TrainingTargetLog), device, target.Images, targetValidation, start,
                selectionLog: folder.TrainingTargetLog, capsDirectory: _config.CapsTarget);
        }
        RecordEnvironment(folder, resume && Directory.Exists(folder.Temporary));
        Directory.CreateDirectory(folder.Temporary);
        var (status, message, epochs) = resume && File.Exists(folder.TrainingEnded())
            ? (TrainingStatus.Completed, null, TsvRows(folder.TrainingTargetLog))
            : new DomainAdaptationTraining(this, folder, images, target, device).Run(splitsDone, splitCount, train, validation, resume);
        if (status == TrainingStatus.Failed && !_config.SelectionMetrics.All(m => File.Exists(folder.BestModel(m))))
        {
            _log($"Split {split} failed: {message}");
            return new TrainingResult
            {
                Split = split, Status = status, Message = message, EpochsRun = epochs, BestEpoch = new([]),
                ValidationMetrics = new([]), DurationSeconds = (_watch.Elapsed - start).TotalSeconds, MapsPath = _maps.Root,
            };
        }
        WriteClinicaDlModels(folder, [null], images.SampleShape, folder.TrainingTargetLog);
        var result = Summary(folder, status, message, epochs, device, target.Images, targetValidation, start, targetTrain, folder.TrainingTargetLog, _config.CapsTarget);
        Directory.Delete(folder.Temporary, recursive: true);
        return result;
    }

    /// <summary>
    /// One split of ClinicaDL's semi-supervised domain adaptation (its _train_ssda and _train_ssdann) trained epoch by
    /// epoch from its checkpoint. Each step zips three loaders, as ClinicaDL: the labelled source batches (the
    /// sampler's order, incomplete batch dropped), the labelled target sessions one at a time, oversampled to as many
    /// as there are source batches (the list repeated then completed, in a random order), and the unlabelled target
    /// batches (shuffled, incomplete batch dropped); the step count is the shortest. The loss is
    /// CE(source head, source labels) + CE(target head, target labels) + 0.1 x (CE(domain, 0) on the source batch +
    /// CE(domain, 1) on the target one + CE(domain, 1) on the unlabelled one), the domain head seeing the features
    /// through the gradient reversal layer at alpha = 2 / (1 + exp(-10 p)) - 1, p = epoch / 10. After each epoch the
    /// source head is evaluated on the source train and validation data (training.tsv) and the target head on the
    /// labelled target train and validation data (training_target.tsv); the target validation metrics choose the
    /// best models and stop early.
    /// </summary>
    internal sealed class DomainAdaptationTraining(Trainer trainer, SplitLayout folder, ImageTensors images, DomainAdaptationData target, Device device)
    {
        private const double DomainLossWeight = 0.1;

        private readonly TrainingConfig _config = trainer._config;
        private readonly IReadOnlyList<string> _augmentations = Augmentation.Augmentations.Validate(trainer._config.DataAugmentation);

        public (string Status, string? Message, int Epochs) Run(int splitsDone, int splitCount, DataGroup train, DataGroup validation, bool resume)
        {
            var start = trainer._watch.Elapsed;
            var (targetTrain, targetValidation) = target.Labeled[folder.Index];
            manual_seed(_config.Seed);
            using var model = (DomainAdaptationNetwork)_config.NewNetwork(images.SampleShape);
            model.to(device);
            using var optimizer = Optimizers.Create(_config, model);
            var selection = new BestModelSelection(_config.SelectionMetrics);
            var stopping = new EarlyStopping(_config.Patience, _config.Tolerance);
            var rates = new LearningRateSchedule(_config);
            string[] metrics = [.. _config.Task.MetricNames, "loss"];
            var sourceLog = new TrainingLog(folder.TrainingLog(), metrics);
            var targetLog = new TrainingLog(folder.TrainingTargetLog, metrics);
            // The target's metrics, those that choose the models: ClinicaDL's LogWriter writes both domains' scalars
            // into the same event files at the same steps, which TensorBoard cannot tell apart.
            var tensorBoard = new TensorBoardLog(folder.TensorBoard("train"), folder.TensorBoard("validation"), metrics);
            var name = $"Split {folder.Index}";
            var epoch = 0;
            if (resume && File.Exists(folder.Checkpoint()))
            {
                var checkpoint = Checkpoint.Load(folder.Checkpoint(), model, optimizer);
                epoch = checkpoint.Epoch + 1;
                selection.Restore(checkpoint.Best);
                stopping.Restore(checkpoint.BestLoss, checkpoint.EpochsWithoutImprovement);
                sourceLog.TruncateAfter(checkpoint.Epoch);
                targetLog.TruncateAfter(checkpoint.Epoch);
                tensorBoard.Rewrite(folder.TrainingTargetLog);
                trainer._log($"{name}: resuming after epoch {checkpoint.Epoch}.");
            }
            else
            {
                sourceLog.Start();
                targetLog.Start();
                tensorBoard.Start();
            }
            var (status, message) = (TrainingStatus.Completed, (string?)null);
            var sourceBatches = train.Images.Count / _config.BatchSize;
            var batches = Math.Min(sourceBatches, target.Unlabeled.Images.Count / _config.BatchSize);
            for (; epoch < _config.Epochs; epoch++)
            {
                var progress = (int batch, string what) => trainer._progress?.Report(
                    new TrainingProgress(folder.Index, splitsDone, splitCount, epoch, _config.Epochs, batch, batches, what, trainer._watch.Elapsed));
                var rate = rates.Rate(epoch);
                Optimizers.SetLearningRate(optimizer, rate);
                message = TrainEpoch(model, optimizer, train.Images, targetTrain.Images, epoch, sourceBatches, batches, b => progress(b, "training (domain adaptation)"));
                if (message is not null)
                {
                    status = TrainingStatus.Failed;
                    break;
                }
                progress(batches, "evaluating");
                model.PredictionHead = DomainAdaptationHead.Source;
                var sourceTrain = Evaluation.Run(model, train.Images, images, _config, device, true, trainer._cancellation).AllMetrics();
                var sourceValidation = Evaluation.Run(model, validation.Images, images, _config, device, true, trainer._cancellation).AllMetrics();
                model.PredictionHead = DomainAdaptationHead.Target;
                var targetTrainMetrics = Evaluation.Run(model, targetTrain.Images, target.Images, _config, device, true, trainer._cancellation).AllMetrics();
                var targetValidationMetrics = Evaluation.Run(model, targetValidation.Images, target.Images, _config, device, true, trainer._cancellation).AllMetrics();
                var seconds = (trainer._watch.Elapsed - start).TotalSeconds;
                sourceLog.Append(epoch, (epoch + 1) * batches, seconds, rate, sourceTrain, sourceValidation);
                targetLog.Append(epoch, (epoch + 1) * batches, seconds, rate, targetTrainMetrics, targetValidationMetrics);
                tensorBoard.Append((epoch + 1) * batches, targetTrainMetrics, targetValidationMetrics);
                foreach (var metric in selection.Improve(targetValidationMetrics))
                {
                    ModelFile.Save(model, folder.BestModel(metric));
                }
                var stop = stopping.Update(targetValidationMetrics["loss"]);
                rates.EpochEnded(targetValidationMetrics["loss"]);
                if (_config.SaveAllModels)
                {
                    ModelFile.Save(model, folder.EpochModel(null, epoch));
                }
                new Checkpoint
                {
                    Epoch = epoch, Best = selection.Best, BestLoss = stopping.BestLoss, EpochsWithoutImprovement = stopping.EpochsWithoutImprovement,
                }.Save(folder.Checkpoint(), model, optimizer);
                trainer._log($"{name}, epoch {epoch} (alpha {Alpha(epoch, sourceBatches):F4}): source train loss {sourceTrain["loss"]:F4}, source validation loss {sourceValidation["loss"]:F4}, " +
                    $"target train loss {targetTrainMetrics["loss"]:F4}, target validation loss {targetValidationMetrics["loss"]:F4}");
                if (stop)
                {
                    (status, message) = (TrainingStatus.EarlyStopped, $"Target validation loss did not improve for {_config.Patience} epoch(s).");
                    epoch++;
                    break;
                }
            }
            if (status != TrainingStatus.Failed)
            {
                AtomicFile.WriteAllText(folder.TrainingEnded(), $"{status} after {epoch} epoch(s)\n");
                File.Delete(folder.Checkpoint());
            }
            return (status, message, epoch);
        }

        /// <summary>
        /// ClinicaDL's reversal weight: p = epoch x n / 10 / n with n the target loader's length (the source batch
        /// count), computed in that order, so alpha = 2 / (1 + exp(-10 p)) - 1 is constant within an epoch.
        /// </summary>
        internal static double Alpha(int epoch, int targetLoaderLength)
        {
            var p = (double)(epoch * targetLoaderLength) / 10 / targetLoaderLength;
            return 2.0 / (1.0 + Math.Exp(-10 * p)) - 1;
        }

        /// <summary>One pass over the zipped loaders; the reason when the loss stopped being finite, else null.</summary>
        private string? TrainEpoch(DomainAdaptationNetwork model, optim.Optimizer optimizer, IReadOnlyList<LabeledImage> source, IReadOnlyList<LabeledImage> labeled,
            int epoch, int sourceBatches, int batches, Action<int> progress)
        {
            model.train();
            var size = _config.BatchSize;
            var sourceOrder = SampleOrder.Draw(_config.Sampler, _config.Task, source, _config.Seed, epoch);
            var labeledOrder = Oversampled(labeled.Count, sourceBatches, Random(epoch, 1));
            var unlabeled = target.Unlabeled.Images;
            var unlabeledOrder = Enumerable.Range(0, unlabeled.Count).ToArray();
            Random(epoch, 2).Shuffle(unlabeledOrder);
            var alpha = Alpha(epoch, sourceBatches);
            using var scalars = new ScalarScope();
            var one = scalars.Of(1.0);
            var domainWeight = scalars.Of(DomainLossWeight);
            using (NewDisposeScope())
            {
                optimizer.zero_grad();
            }
            for (var b = 0; b < batches; b++)
            {
                trainer._cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var sourceBatch = sourceOrder.Skip(b * size).Take(size).Select(i => source[i]).ToList();
                List<LabeledImage> labeledBatch = [labeled[labeledOrder[b]]];
                var unlabeledBatch = unlabeledOrder.Skip(b * size).Take(size).Select(i => unlabeled[i]).ToList();
                var sourceInput = PrepareBatch(images, sourceBatch, epoch, b, 0).to(device);
                var labeledInput = PrepareBatch(target.Images, labeledBatch, epoch, b, 1).to(device);
                var unlabeledInput = PrepareBatch(target.Images, unlabeledBatch, epoch, b, 2).to(device);
                // Three passes, as ClinicaDL's compute_outputs_and_loss: each updates the BatchNorm statistics once.
                var (sourceClass, _, sourceDomain) = model.Outputs(sourceInput, alpha);
                var (_, targetClass, targetDomain) = model.Outputs(labeledInput, alpha);
                var (_, _, unlabeledDomain) = model.Outputs(unlabeledInput, alpha);
                var classification = LossFunction.Compute(_config, sourceClass, Evaluation.Targets(sourceBatch, sourceInput, _config, device))
                    .add(LossFunction.Compute(_config, targetClass, Evaluation.Targets(labeledBatch, labeledInput, _config, device)), one);
                var domain = LossFunction.Compute(_config, sourceDomain, zeros(sourceBatch.Count, ScalarType.Int64, device))
                    .add(LossFunction.Compute(_config, targetDomain, ones(labeledBatch.Count, ScalarType.Int64, device)), one)
                    .add(LossFunction.Compute(_config, unlabeledDomain, ones(unlabeledBatch.Count, ScalarType.Int64, device)), one);
                var loss = classification.add(domain, domainWeight);
                var value = loss.item<float>();
                if (!float.IsFinite(value))
                {
                    return $"The training loss became {value} at epoch {epoch}, batch {b}: lower the learning rate (now {optimizer.ParamGroups.First().LearningRate}) or check the images.";
                }
                loss.backward();
                if ((b + 1) % _config.AccumulationSteps == 0 || b == batches - 1)
                {
                    optimizer.step();
                    optimizer.zero_grad();
                }
                progress(b + 1);
            }
            return null;
        }

        /// <summary>
        /// ClinicaDL's oversampling of the labelled target sessions: their indices repeated (count / sessions) times,
        /// completed with the first (count mod sessions), then drawn in a random order (its SubsetRandomSampler).
        /// </summary>
        internal static int[] Oversampled(int sessions, int count, System.Random random)
        {
            var indices = Enumerable.Range(0, sessions).ToArray();
            var order = Enumerable.Repeat(indices, count / sessions).SelectMany(i => i).Concat(indices.Take(count % sessions)).ToArray();
            random.Shuffle(order);
            return order;
        }

        /// <summary>The epoch's generator of one of the target loaders (the source's order is SampleOrder's).</summary>
        private System.Random Random(int epoch, int loader) => new(unchecked((_config.Seed * 7919 + epoch) * 31 + loader));

        /// <summary>A batch of one loader, augmented when asked from a generator seeded by run, epoch, batch and loader.</summary>
        private Tensor PrepareBatch(ImageTensors from, List<LabeledImage> batch, int epoch, int b, int loader) =>
            AugmentedBatch(from, batch, _augmentations, (ulong)((_config.Seed * 1_000_003L + epoch * 10_007L + b) * 3 + loader));
    }
}
