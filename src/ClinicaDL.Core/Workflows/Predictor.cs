using System.Globalization;
using ClinicaDL.Core.IO;
using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Runtime;
using ClinicaDL.Core.Selection;
using ClinicaDL.Core.Tables;
using ClinicaDL.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Workflows;

/// <summary>
/// ClinicaDL's <c>predict</c>: evaluates a MAPS' best models on a data group and writes its results (for a
/// patch, slice or ROI MAPS per part, then per image by the vote weighted on the validation group). A new group
/// holding a participant of groups/train+validation.tsv is refused (data leakage) unless forced, and a forced
/// evaluation is recorded in the group's maps.json and in every result, never silent.
/// </summary>
public static class Predictor
{
    /// <remarks><c>dropped</c> is told which sessions of the group's TSV are left out (diagnoses the MAPS was not trained on), when some are.</remarks>
    public static IReadOnlyList<PredictionRow> Predict(PredictionOptions options, Action<string>? log = null, CancellationToken cancellation = default,
        Action<DropReport>? dropped = null)
    {
        var maps = MapsFolder.Open(options.MapsPath);
        using var writing = MapsWriting.Whole(maps.Layout, log);
        if (options.DataGroup is "train" or "validation")
        {
            throw new DataGroupException($"The {options.DataGroup} data group is written by training and cannot be redefined; choose another group name.");
        }
        var config = maps.Configuration;
        // The device of this evaluation: the one asked for, else the one the MAPS was trained on (a MAPS trained on cuda
        // is evaluated on a machine without a GPU with -Device cpu); written in each result's description.log. Checked
        // before the data group is written.
        TorchRuntime.EnsureLoaded();
        var deviceName = options.Device ?? config.Device;
        var device = TorchRuntime.ResolveDevice(deviceName);
        // Before the group is defined: a split or metric that does not exist would otherwise predict nothing, silently.
        MapsSelection.ThrowIfAny(MapsSelection.MissingSplits(maps, options.Splits).Concat(MapsSelection.MissingSelectionMetrics(maps, options.SelectionMetrics, config.SelectionMetrics)));
        var (capsPath, table, leakage) = DataGroupDefinition.Resolve(maps, options.DataGroup, options.CapsPath, options.TsvPath, options.Overwrite, options.AllowDataLeakage);
        var reconstruction = config.Task == TrainingTask.Reconstruction;
        if ((options.SaveTensor || options.SaveNifti) && !reconstruction)
        {
            throw new ArgumentException("-SaveTensor and -SaveNifti write reconstructions: this MAPS holds a " + config.NetworkTask + " network.");
        }
        var group = DataGroup.FromTsv(table, CapsImageIndex.Scan(capsPath, config.ImageQuery()), config, needLabels: !options.NoLabel && !reconstruction);
        if (group.Drops.Dropped > 0)
        {
            dropped?.Invoke(group.Drops);
        }
        var samples = group.Images;
        if (config.Task == TrainingTask.Classification && !options.NoLabel)
        {
            var unknown = samples.Select(s => s.Label!).Distinct().Where(l => !config.LabelCode.ContainsKey(l)).ToList();
            if (unknown.Count > 0)
            {
                throw new InvalidTableException($"Label(s) {string.Join(", ", unknown)} of '{options.TsvPath}' were not trained on (labels: {string.Join(", ", config.LabelCode.Keys)}); predict with -NoLabel.");
            }
        }
        // With the MAPS' thread count, not the calling thread's leftover one: the same bits as the training's own evaluations.
        using var threads = TorchRuntime.UseThreads(TorchRuntime.ResolveThreads(config.Threads));
        using var images = new ImageTensors(samples.Select(s => s.ImagePath), config, Environment.ProcessorCount, cancellation, log);
        maps.CheckInputSize(images.SampleShape);
        var codes = config.LabelCode.OrderBy(c => c.Value).Select(c => c.Key).ToList();
        var firstNetwork = BestModels.Networks(config, images.PartsPerImage)[0];
        var rows = new List<PredictionRow>();
        foreach (var split in maps.Splits.Where(s => options.Splits is null || options.Splits.Contains(s)).Select(maps.Split))
        {
            foreach (var metric in (options.SelectionMetrics ?? config.SelectionMetrics).Where(m => split.FindBestModel(m, firstNetwork) is not null))
            {
                cancellation.ThrowIfCancellationRequested();
                log?.Invoke($"Split {split.Index}, best-{metric}: predicting {samples.Count} session(s).");
                var folder = split.Results(metric, options.DataGroup);
                var saveReconstructions = options.SaveTensor || options.SaveNifti ? ReconstructionFiles.Writer(folder, images, config, options.SaveTensor, options.SaveNifti) : null;
                var evaluation = BestModels.Evaluate(split, metric, config, images, samples, device, !options.NoLabel, cancellation, saveReconstructions);
                var validationPredictions = images.Parts is null ? "" : split.Predictions(metric, "validation", images.Parts.ModeName);
                IEnumerable<(int, bool)> ValidationOutcomes() => File.Exists(validationPredictions)
                    ? PartVoting.Outcomes(validationPredictions, images.Parts!.ModeName)
                    : throw new MapsException($"'{validationPredictions}' is missing: the image-level vote weighs each part by its validation accuracy, so it cannot be computed without it.");
                var (imageLevel, _) = ResultWriter.WriteGroup(folder, options.DataGroup, evaluation, images.Parts, ValidationOutcomes,
                    config.SelectionThreshold, config.BootstrapResamples, config.Seed, capsPath, deviceName);
                rows.AddRange(imageLevel.Samples.Select((s, i) => new PredictionRow
                {
                    DataGroup = options.DataGroup, Split = split.Index, SelectionMetric = metric, ParticipantId = s.ParticipantId, SessionId = s.SessionId,
                    TrueLabel = options.NoLabel ? null : s.Label,
                    PredictedLabel = reconstruction ? null : imageLevel.Classification ? codes[imageLevel.PredictedCodes[i]] : imageLevel.PredictedValues[i].ToString("R", CultureInfo.InvariantCulture),
                    ReconstructionMetrics = new(reconstruction ? ReconstructionMetrics.Names.Select((name, m) => KeyValuePair.Create(name, imageLevel.ReconstructionValues![i][m])) : []),
                    Probabilities = new(imageLevel.Probabilities[i]), LeakageOverride = leakage, MapsPath = maps.Root,
                }));
            }
        }
        return rows;
    }
}
