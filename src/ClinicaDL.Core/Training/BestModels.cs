using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Training;

/// <summary>
/// The models a MAPS kept for one split and selection metric, run on a set of images: the one network on every
/// sample, or with multi_network the network of each part index on that part of every image, results concatenated.
/// </summary>
public static class BestModels
{
    /// <summary>The network indices of a MAPS: [null] for one network, 0..parts-1 with multi_network.</summary>
    public static int?[] Networks(TrainingConfig config, int partsPerImage) =>
        config.MultiNetwork ? [.. Enumerable.Range(0, partsPerImage).Select(n => (int?)n)] : [null];

    public static Evaluation Evaluate(MapsLayout maps, int split, string metric, TrainingConfig config, ImageTensors images, IReadOnlyList<LabeledImage> group,
        int outputSize, Device device, bool withLabels, CancellationToken cancellation)
    {
        var evaluations = new List<Evaluation>();
        foreach (var network in Networks(config, images.PartsPerImage))
        {
            using var model = NetworkRegistry.Create(config.ResolvedArchitecture, images.SampleShape, outputSize, config.Dropout, config.LatentSpaceSize);
            model.load(maps.BestModel(split, metric, network));
            model.to(device);
            evaluations.Add(Evaluation.Run(model, images.Samples(group, network), images, config, config.LabelCode, device, withLabels, cancellation));
        }
        return evaluations.Count == 1 ? evaluations[0] : Evaluation.Concatenate(evaluations);
    }
}
