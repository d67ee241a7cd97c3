using static TorchSharp.torch;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// A network made of a list of convolutional feature layers then a head, so that Grad-CAM can take the gradient
/// of an output with respect to the feature map after any of those layers (ClinicaDL's level_grad_cam).
/// </summary>
public interface IFeatureNetwork
{
    /// <summary>How many layers the feature list has (ClinicaDL's levels run from 1 to this).</summary>
    int FeatureLayerCount { get; }

    /// <summary>The feature map [batch, channels, spatial...] after the first <paramref name="level"/> layers.</summary>
    Tensor Features(Tensor input, int level);

    /// <summary>The network's output from the feature map after <paramref name="level"/> layers.</summary>
    Tensor Head(Tensor features, int level);
}
