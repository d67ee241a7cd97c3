using ClinicaDL.Core.Maps;
using ClinicaDL.Core.Training;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Workflows;

/// <summary>
/// ClinicaDL's transfer learning (MapsManager._init_model and the networks' transfer_weights): a network starts
/// from the best model of the same split of another MAPS, whole when both are CNNs or both autoencoders; from an
/// autoencoder to a CNN the encoder's weights go into the convolutions, from a CNN to an autoencoder the
/// convolutions into the encoder. With nb_unfrozen_layer = n &gt; 0 every parameter is frozen but the last 2n
/// (ClinicaDL's count: weight and bias of the last n layers), and only the trainable ones reach the optimiser.
/// </summary>
public static class TransferLearning
{
    private const string Encoder = "encoder.";
    private const string Convolutions = "convolutions.";

    /// <summary>Loads the source's weights into <paramref name="model"/> (on the CPU, before it moves to its device).</summary>
    public static void LoadWeights(nn.Module<Tensor, Tensor> model, MapsFolder source, int split, int? network, TrainingConfig config, long[] sampleShape)
    {
        var folder = source.Split(split);
        var metric = config.TransferSelectionMetric;
        // The same network's model when the source has one per part, else its single model.
        var path = folder.FindBestModel(metric, network) ?? folder.FindBestModel(metric)
            ?? throw new MapsException($"The transfer-learning MAPS '{source.Root}' has no best-{metric} model for split {split} ('{folder.BestModel(metric)}').");
        var sourceConfig = source.Configuration;
        var sourceIsAutoEncoder = sourceConfig.Task == TrainingTask.Reconstruction;
        var targetIsAutoEncoder = config.Task == TrainingTask.Reconstruction;
        if (sourceIsAutoEncoder == targetIsAutoEncoder)
        {
            ModelFile.Load(model, path);
            return;
        }
        var weights = ReadStateDict(path, sourceConfig, sampleShape);
        try
        {
            var (from, to) = sourceIsAutoEncoder ? (Encoder, Convolutions) : (Convolutions, Encoder);
            var renamed = weights.Where(w => w.Key.StartsWith(from, StringComparison.Ordinal)).ToDictionary(w => to + w.Key[from.Length..], w => w.Value, StringComparer.Ordinal);
            var target = model.state_dict().Where(t => t.Key.StartsWith(to, StringComparison.Ordinal)).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
            if ((target.Count == 0 ? $" The network has no {to.TrimEnd('.')}." : ModelFile.Mismatch(target, renamed)) is { } mismatch)
            {
                throw new MapsException($"The {sourceConfig.ResolvedArchitecture} of '{source.Root}' cannot give its {from.TrimEnd('.')} to this {config.ResolvedArchitecture}'s {to.TrimEnd('.')}.{mismatch} " +
                    "ClinicaDL transfers between a CNN and the autoencoder built from it (e.g. AE_Conv5_FC3 and Conv5_FC3) on images of the same size.");
            }
            using (no_grad())
            {
                model.load_state_dict(renamed, strict: false);
            }
        }
        finally
        {
            foreach (var tensor in weights.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>Freezes all parameters but the last 2n (ClinicaDL's rule); n = 0 leaves every parameter trainable.</summary>
    public static void Freeze(nn.Module<Tensor, Tensor> model, int unfrozenLayers)
    {
        if (unfrozenLayers <= 0)
        {
            return;
        }
        var parameters = model.parameters().ToList();
        for (var i = 0; i < parameters.Count; i++)
        {
            parameters[i].requires_grad = i >= parameters.Count - 2 * unfrozenLayers;
        }
    }

    /// <summary>The source model's weights by name, on the CPU (the caller disposes them).</summary>
    private static Dictionary<string, Tensor> ReadStateDict(string path, TrainingConfig sourceConfig, long[] sampleShape)
    {
        if (path.EndsWith(ModelFile.ClinicaDlExtension, StringComparison.Ordinal))
        {
            return ModelFile.ReadClinicaDlStateDict(path);
        }
        using var sourceModel = sourceConfig.NewNetwork(sampleShape);
        ModelFile.Load(sourceModel, path);
        return sourceModel.state_dict().ToDictionary(w => w.Key, w => w.Value.detach().clone(), StringComparer.Ordinal);
    }
}
