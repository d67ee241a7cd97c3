using ClinicaDL.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClinicaDL.Core.Networks;

/// <summary>
/// ClinicaDL's Conv5_FC3_SSDA (CNN_SSDA): Conv5_FC3's five convolution blocks shared by three heads of Conv5_FC3's
/// fully connected shape, a source classifier, a target classifier and a domain classifier that sees the features
/// through a gradient reversal layer (ClinicaDL's ReverseLayerF). Its children carry ClinicaDL's names
/// (convolutions, fc_class_source, fc_class_target, fc_domain) so weights exchange with ClinicaDL's model.pth.tar.
/// As ClinicaDL, the domain classifier has as many outputs as there are classes (it is fed domain labels 0 and 1).
/// </summary>
public sealed class DomainAdaptationNetwork : Module<Tensor, Tensor>, IFeatureNetwork
{
    private readonly Sequential convolutions;
    private readonly Sequential fc_class_source;
    private readonly Sequential fc_class_target;
    private readonly Sequential fc_domain;
    private readonly Module<Tensor, Tensor>[] convolutionLayers;

    internal DomainAdaptationNetwork(long[] inputShape, int outputSize, double dropout) : base("Conv5_FC3_SSDA")
    {
        var dimensions = inputShape.Length - 1;
        var layers = new List<Module<Tensor, Tensor>>();
        long channels = inputShape[0];
        foreach (var output in new long[] { 8, 16, 32, 64, 128 })
        {
            layers.Add(NetworkLayers.Convolution(dimensions, channels, output));
            layers.Add(NetworkLayers.BatchNorm(dimensions, output));
            layers.Add(ReLU());
            layers.Add(new PadMaxPool(dimensions));
            channels = output;
        }
        var features = NetworkLayers.FlatFeatures(layers, inputShape);
        convolutionLayers = [.. layers];
        convolutions = NetworkLayers.Indexed(convolutionLayers);
        fc_class_source = Head(features, outputSize, dropout);
        fc_class_target = Head(features, outputSize, dropout);
        fc_domain = Head(features, outputSize, dropout);
        RegisterComponents();
    }

    /// <summary>
    /// The classifier whose output <see cref="forward"/> gives: the target one (the model is kept on the target
    /// validation data, and a prediction is made for the target domain), or the source one to evaluate source data.
    /// </summary>
    public DomainAdaptationHead PredictionHead { get; set; } = DomainAdaptationHead.Target;

    /// <summary>The output of the classifier <see cref="PredictionHead"/> names.</summary>
    public override Tensor forward(Tensor input)
    {
        using var features = NetworkLayers.Forward(convolutions, input);
        return (PredictionHead == DomainAdaptationHead.Source ? fc_class_source : fc_class_target).forward(features);
    }

    public int FeatureLayerCount => convolutionLayers.Length;

    /// <summary>Grad-CAM's feature map: the shared convolutions' first <paramref name="level"/> layers.</summary>
    public Tensor Features(Tensor input, int level) => NetworkLayers.Run(convolutionLayers, input, 0, level);

    /// <summary>The rest of the shared convolutions, then the classifier <see cref="PredictionHead"/> names.</summary>
    public Tensor Head(Tensor features, int level)
    {
        using var last = NetworkLayers.Run(convolutionLayers, features, level, convolutionLayers.Length);
        return (PredictionHead == DomainAdaptationHead.Source ? fc_class_source : fc_class_target).forward(last);
    }

    /// <summary>
    /// ClinicaDL's forward(x, alpha): the source and target classifiers' outputs, and the domain classifier's output
    /// on the features through the gradient reversal layer, whose backward multiplies the gradient by -alpha.
    /// </summary>
    public (Tensor Source, Tensor Target, Tensor Domain) Outputs(Tensor input, double alpha)
    {
        using var features = NetworkLayers.Forward(convolutions, input);
        var source = fc_class_source.forward(features);
        var target = fc_class_target.forward(features);
        using var reversed = ReverseGradient(features, alpha);
        return (source, target, fc_domain.forward(reversed));
    }

    /// <summary>
    /// The input's values, with a gradient of -alpha times the incoming one: detached input plus a zero that carries
    /// the scaled gradient. The forward values are the input's bits (x + 0), and the gradient is ClinicaDL's
    /// grad.neg() * alpha to the bit (negation is exact), without a managed autograd function in libtorch's backward.
    /// </summary>
    internal static Tensor ReverseGradient(Tensor input, double alpha)
    {
        using var scalars = new ScalarScope();
        using var held = input.detach();
        using var zero = input.sub(held);
        using var scaled = zero.mul(scalars.Of(-alpha));
        return held.add(scaled, scalars.Of(1.0));
    }

    private static Sequential Head(long features, int outputSize, double dropout) => NetworkLayers.Indexed(
        Flatten(), Dropout(dropout), Linear(features, 1300), ReLU(), Linear(1300, 50), ReLU(), Linear(50, outputSize));
}
