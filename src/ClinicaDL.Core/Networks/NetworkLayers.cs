using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClinicaDL.Core.Networks;

/// <summary>Builds layers in 2D or 3D from the input rank, and names Sequential children as PyTorch does (0, 1, 2...).</summary>
internal static class NetworkLayers
{
    public static Module<Tensor, Tensor> Convolution(int dimensions, long input, long output, long kernel = 3, long stride = 1, long padding = 1, bool bias = true) =>
        dimensions == 3
            ? Conv3d(input, output, kernel, stride: stride, padding: padding, bias: bias)
            : Conv2d(input, output, kernel, stride: stride, padding: padding, bias: bias);

    public static Module<Tensor, Tensor> BatchNorm(int dimensions, long channels) => dimensions == 3 ? BatchNorm3d(channels) : BatchNorm2d(channels);

    public static Sequential Indexed(params Module<Tensor, Tensor>[] modules) =>
        Sequential(modules.Select((m, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), m)).ToArray());

    /// <summary>
    /// Layers [start, end) of a feature list on an input, each intermediate freed as soon as the next exists (the
    /// caller owns the result; with start == end it is an alias of the input).
    /// </summary>
    public static Tensor Run(IReadOnlyList<Module<Tensor, Tensor>> layers, Tensor input, int start, int end)
    {
        var current = input.alias();
        for (var index = start; index < end; index++)
        {
            var next = Forward(layers[index], current);
            current.Dispose();
            current = next;
        }
        return current;
    }

    /// <summary>
    /// A layer's output, its convolutions (inside Sequentials too) run by <see cref="BlockAlignedConvolution"/> so
    /// that their input gradients do not depend on uninitialised memory.
    /// </summary>
    public static Tensor Forward(Module<Tensor, Tensor> layer, Tensor input) => layer switch
    {
        Convolution convolution => BlockAlignedConvolution.Forward(convolution, input),
        Sequential sequential => RunAll([.. sequential.children().Cast<Module<Tensor, Tensor>>()], input),
        _ => layer.forward(input),
    };

    private static Tensor RunAll(Module<Tensor, Tensor>[] layers, Tensor input) => Run(layers, input, 0, layers.Length);

    /// <summary>
    /// The shape (channels first, no batch) a layer stack gives for one sample of the given shape: by formula where
    /// <see cref="LayerShapes"/> knows the layer, else by running it on zeros in evaluation mode.
    /// </summary>
    public static long[] OutputShape(IReadOnlyList<Module<Tensor, Tensor>> layers, long[] inputShape)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var shape = inputShape;
        foreach (var layer in layers)
        {
            if (LayerShapes.Of(layer, shape) is { } known)
            {
                shape = known;
                continue;
            }
            var training = layer.training;
            layer.eval();
            shape = layer.forward(zeros([1, .. shape])).shape[1..];
            layer.train(training);
        }
        return shape;
    }

    /// <summary>The number of features a convolution stack produces for one sample of the given shape.</summary>
    public static long FlatFeatures(IReadOnlyList<Module<Tensor, Tensor>> convolutions, long[] inputShape) =>
        OutputShape(convolutions, inputShape).Aggregate(1L, (product, size) => product * size);
}
