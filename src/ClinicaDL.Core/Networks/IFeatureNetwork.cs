using static TorchSharp.torch;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// A network made of a convolutional feature stack then a head, so that Grad-CAM can take the gradient of an
/// output with respect to the last feature map.
/// </summary>
public interface IFeatureNetwork
{
    /// <summary>The last convolutional feature map [batch, channels, spatial...].</summary>
    Tensor Features(Tensor input);

    /// <summary>The network's output from that feature map.</summary>
    Tensor Head(Tensor features);
}
