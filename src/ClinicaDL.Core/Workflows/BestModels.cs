using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Workflows;

/// <summary>
/// The models a MAPS kept for one split and selection metric, run on a set of images: the one network on every
/// sample, or with multi_network the network of each part index on that part of every image, results concatenated.
/// </summary>
public static class BestModels
{
    /// <summary>The network indices of a MAPS: [null] for one network, 0..parts-1 with multi_network.</summary>
    public static int?[] Networks(TrainingConfig config, int partsPerImage) =>
        config.MultiNetwork ? [.. Enumerable.Range(0, partsPerImage).Select(n => (int?)n)] : [null];

    /// <summary>The kept model of one network (this module's file, or ClinicaDL's in a MAPS of ClinicaDL's), on the device (the caller disposes it).</summary>
    public static nn.Module<Tensor, Tensor> Load(SplitLayout split, string metric, int? network, TrainingConfig config, long[] sampleShape, Device device)
    {
        var path = split.FindBestModel(metric, network)
            ?? throw new MapsException($"Split {split.Index} has no best-{metric} model ('{split.BestModel(metric, network)}' or ClinicaDL's '{split.ClinicaDlModel(metric, network)}').");
        var model = config.NewNetwork(sampleShape);
        try
        {
            ModelFile.Load(model, path);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.to(device);
        return model;
    }

    public static Evaluation Evaluate(SplitLayout split, string metric, TrainingConfig config, ImageTensors images, IReadOnlyList<LabeledImage> group,
        Device device, bool withLabels, CancellationToken cancellation, Action<LabeledImage, Tensor, Tensor>? onOutput = null)
    {
        var evaluations = new List<Evaluation>();
        foreach (var network in Networks(config, images.PartsPerImage))
        {
            using var model = Load(split, metric, network, config, images.SampleShape, device);
            evaluations.Add(Evaluation.Run(model, images.Samples(group, network), images, config, device, withLabels, cancellation, onOutput));
        }
        return evaluations.Count == 1 ? evaluations[0] : Evaluation.Concatenate(evaluations);
    }
}
