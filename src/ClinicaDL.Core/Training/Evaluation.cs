using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Training;

/// <summary>
/// A model's outputs on a data group: per-sample predictions (or, for reconstruction, per-sample reconstruction
/// metrics), and the mean loss when labels are known (always for reconstruction: the target is the input).
/// </summary>
public sealed class Evaluation
{
    public required IReadOnlyList<LabeledImage> Samples { get; init; }
    public required bool Classification { get; init; }

    public bool Reconstruction { get; init; }

    /// <summary>Reconstruction: MAE, RMSE, PSNR, SSIM of each sample (<see cref="ReconstructionMetrics.Names"/>).</summary>
    public double[][]? ReconstructionValues { get; init; }
    public int[]? TrueCodes { get; init; }
    public double[]? TrueValues { get; init; }
    public required int[] PredictedCodes { get; init; }
    public required double[][] Probabilities { get; init; }
    public required double[] PredictedValues { get; init; }

    /// <summary>Mean loss per sample (ClinicaDL sums batch losses; a mean compares across data sizes).</summary>
    public double Loss { get; init; } = double.NaN;

    /// <summary>A VAE's loss terms by ClinicaDL's names (<see cref="VariationalLoss.TermNames"/>), averaged as <see cref="Loss"/>; empty otherwise.</summary>
    public IReadOnlyDictionary<string, double> LossTerms { get; init; } = new Dictionary<string, double>();

    public int Classes { get; init; }

    public bool HasLabels => TrueCodes is not null || TrueValues is not null || ReconstructionValues is not null;

    /// <summary>The metrics of the samples at the given indices (all of them for the reported value; resamples for CIs).</summary>
    public Dictionary<string, double> MetricsOf(int[] indices) => Reconstruction
        ? ReconstructionMetrics.Names.Select((name, m) => (name, indices.Average(i => ReconstructionValues![i][m]))).ToDictionary(p => p.name, p => p.Item2)
        : Classification
        ? Metrics.Classification(indices.Select(i => TrueCodes![i]).ToList(), indices.Select(i => PredictedCodes[i]).ToList(), indices.Select(i => Probabilities[i]).ToList(), Classes)
        : Metrics.Regression(indices.Select(i => TrueValues![i]).ToList(), indices.Select(i => PredictedValues[i]).ToList());

    public Dictionary<string, double> AllMetrics()
    {
        var metrics = MetricsOf(Enumerable.Range(0, Samples.Count).ToArray());
        metrics["loss"] = Loss;
        foreach (var (name, value) in LossTerms)
        {
            metrics[name] = value;
        }
        return metrics;
    }

    /// <summary>The evaluations of several networks on their own samples as one (loss: the mean per sample over all).</summary>
    public static Evaluation Concatenate(IReadOnlyList<Evaluation> parts) => new()
    {
        Samples = [.. parts.SelectMany(p => p.Samples)],
        Classification = parts[0].Classification,
        Reconstruction = parts[0].Reconstruction,
        ReconstructionValues = parts[0].ReconstructionValues is null ? null : [.. parts.SelectMany(p => p.ReconstructionValues!)],
        Classes = parts[0].Classes,
        TrueCodes = parts[0].TrueCodes is null ? null : [.. parts.SelectMany(p => p.TrueCodes!)],
        TrueValues = parts[0].TrueValues is null ? null : [.. parts.SelectMany(p => p.TrueValues!)],
        PredictedCodes = [.. parts.SelectMany(p => p.PredictedCodes)],
        Probabilities = [.. parts.SelectMany(p => p.Probabilities)],
        PredictedValues = [.. parts.SelectMany(p => p.PredictedValues)],
        Loss = parts.Sum(p => p.Loss * p.Samples.Count) / parts.Sum(p => p.Samples.Count),
        LossTerms = parts[0].LossTerms.Keys.ToDictionary(name => name, name => parts.Sum(p => p.LossTerms[name] * p.Samples.Count) / parts.Sum(p => p.Samples.Count)),
    };

    /// <summary>
    /// Runs a model in evaluation mode over samples, one dispose scope per batch; <paramref name="onOutput"/>, when
    /// given, sees each sample's input and output in the same pass (e.g. to save reconstructions).
    /// </summary>
    public static Evaluation Run(nn.Module<Tensor, Tensor> model, IReadOnlyList<LabeledImage> samples, ImageTensors images, TrainingConfig config,
        Device device, bool withLabels, CancellationToken cancellation, Action<LabeledImage, Tensor, Tensor>? onOutput = null)
    {
        var labelCode = config.LabelCode;
        var classification = config.Task == TrainingTask.Classification;
        var reconstruction = config.Task == TrainingTask.Reconstruction;
        var reconstructionValues = new double[samples.Count][];
        var classes = labelCode.Count;
        var predictedCodes = new int[samples.Count];
        var probabilities = new double[samples.Count][];
        var predictedValues = new double[samples.Count];
        var lossSum = 0.0;
        var termSums = new double[VariationalLoss.TermNames.Length];
        model.eval();
        using (no_grad())
        {
            for (var start = 0; start < samples.Count; start += config.BatchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var batch = samples.Skip(start).Take(config.BatchSize).ToList();
                var input = images.Batch(batch).to(device);
                Tensor output;
                if (model is Networks.IVariationalAutoEncoder vae)
                {
                    // In evaluation mode a VAE decodes the code's mean; its loss keeps the KL term, as ClinicaDL's.
                    (output, var loss, var first, var second) = VariationalLoss.Compute(vae, config.ResolvedLoss, input);
                    lossSum += loss.item<float>() * batch.Count;
                    termSums[0] += first.item<float>() * batch.Count;
                    termSums[1] += second.item<float>() * batch.Count;
                }
                else
                {
                    output = model.forward(input);
                    if (withLabels || reconstruction)
                    {
                        var loss = LossFunction.Compute(config, output, Targets(batch, input, config, device));
                        lossSum += loss.item<float>() * batch.Count;
                    }
                }
                for (var b = 0; onOutput is not null && b < batch.Count; b++)
                {
                    onOutput(batch[b], input[b], output[b]);
                }
                if (reconstruction)
                {
                    for (var b = 0; b < batch.Count; b++)
                    {
                        reconstructionValues[start + b] = ReconstructionMetrics.Compute(input[b], output[b]);
                        probabilities[start + b] = [];
                    }
                }
                else if (classification)
                {
                    var probability = nn.functional.softmax(output, 1).cpu().to(ScalarType.Float64).data<double>().ToArray();
                    for (var b = 0; b < batch.Count; b++)
                    {
                        var row = probability.AsSpan(b * classes, classes).ToArray();
                        probabilities[start + b] = row;
                        predictedCodes[start + b] = Array.IndexOf(row, row.Max());
                    }
                }
                else
                {
                    var values = output.cpu().to(ScalarType.Float64).data<double>().ToArray();
                    for (var b = 0; b < batch.Count; b++)
                    {
                        predictedValues[start + b] = values[b];
                        probabilities[start + b] = [];
                    }
                }
            }
        }
        return new Evaluation
        {
            Samples = samples,
            Classification = classification,
            Reconstruction = reconstruction,
            ReconstructionValues = reconstruction ? reconstructionValues : null,
            Classes = classes,
            TrueCodes = withLabels && classification ? samples.Select(s => labelCode[s.Label!]).ToArray() : null,
            TrueValues = withLabels && config.Task == TrainingTask.Regression ? samples.Select(s => double.Parse(s.Label!, CultureInfo.InvariantCulture)).ToArray() : null,
            PredictedCodes = predictedCodes,
            Probabilities = probabilities,
            PredictedValues = predictedValues,
            Loss = withLabels || reconstruction ? lossSum / samples.Count : double.NaN,
            LossTerms = model is Networks.IVariationalAutoEncoder
                ? VariationalLoss.TermNames.Select((name, i) => (name, termSums[i] / samples.Count)).ToDictionary(t => t.name, t => t.Item2)
                : new Dictionary<string, double>(),
        };
    }

    /// <summary>
    /// The target tensor of a batch: class codes (int64), values [B, 1] (float32), or for an autoencoder its
    /// input itself (as in ClinicaDL, the augmented input when training).
    /// </summary>
    public static Tensor Targets(IReadOnlyList<LabeledImage> batch, Tensor input, TrainingConfig config, Device device) =>
        config.Task.Targets(batch, input, config.LabelCode, device);
}
