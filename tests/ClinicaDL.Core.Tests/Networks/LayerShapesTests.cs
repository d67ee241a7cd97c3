using ClinicaDL.Core.Networks;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClinicaDL.Core.Tests.Networks;

/// <summary>
/// Network builds take layers' output shapes from PyTorch's formulas instead of running them (at full size that
/// allocates hundreds of megabytes per layer, and libtorch's one-channel convolution takes seconds): each formula
/// must give what libtorch gives, and step aside for an input the layer cannot take, so libtorch's error is seen.
/// </summary>
public sealed class LayerShapesTests
{
    public LayerShapesTests() => TorchNatives.EnsureLoaded();

    public static TheoryData<string, Func<Module<Tensor, Tensor>>, long[]> Layers() => new()
    {
        { "Conv3d k3 p1", () => Conv3d(1, 8, 3, padding: 1), [1, 29, 30, 17] },
        { "Conv3d k3 stride 2", () => Conv3d(2, 4, 3, stride: 2), [2, 29, 30, 18] },
        { "Conv3d k5 p2 stride 3 dilation 2", () => Conv3d(1, 3, 5, stride: 3, padding: 2, dilation: 2), [1, 31, 25, 20] },
        { "Conv3d k1", () => Conv3d(4, 2, 1), [4, 7, 8, 9] },
        { "Conv3d same", () => Conv3d(1, 2, 3, padding: Padding.Same), [1, 9, 10, 11] },
        { "Conv3d valid", () => Conv3d(1, 2, 4, padding: Padding.Valid), [1, 9, 10, 11] },
        { "Conv3d per axis", () => Conv3d(1, 2, (3, 5, 1), stride: (1, 2, 3), padding: (0, 2, 1)), [1, 9, 10, 11] },
        { "Conv3d reflect", () => Conv3d(1, 2, 3, padding: 1, padding_mode: PaddingModes.Reflect), [1, 9, 10, 11] },
        { "Conv2d k4 stride 2 p1", () => Conv2d(3, 8, 4, stride: 2, padding: 1), [3, 33, 47] },
        { "Conv2d groups", () => Conv2d(4, 8, 3, groups: 2), [4, 12, 13] },
        { "Conv2d exact fit", () => Conv2d(1, 1, 5), [1, 5, 6] },
        { "BatchNorm3d", () => BatchNorm3d(3), [3, 5, 6, 7] },
        { "BatchNorm2d", () => BatchNorm2d(3), [3, 6, 7] },
        { "BatchNorm1d", () => BatchNorm1d(5), [5] },
        { "InstanceNorm3d", () => InstanceNorm3d(3), [3, 5, 6, 7] },
        { "GroupNorm", () => GroupNorm(2, 4), [4, 5, 6, 7] },
        { "LeakyReLU", () => LeakyReLU(0.2), [2, 5, 6] },
        { "Dropout3d", () => Dropout3d(0.5), [2, 5, 6, 7] },
        { "KeptELU", () => new KeptELU(1.0), [2, 5] },
        { "MaxPool3d 2", () => MaxPool3d(2), [2, 9, 10, 11] },
        { "MaxPool3d 3 stride 2", () => MaxPool3d(3, stride: 2), [2, 169 / 8, 208 / 8, 179 / 8] },
        { "MaxPool3d ceil", () => MaxPool3d(3, stride: 2, ceil_mode: true), [2, 10, 11, 12] },
        { "MaxPool3d ceil padded", () => MaxPool3d(3, stride: 2, padding: 1, ceil_mode: true), [2, 9, 10, 11] },
        { "MaxPool2d dilation", () => MaxPool2d(3, stride: 1, dilation: 2), [1, 9, 10] },
        { "AvgPool2d ceil", () => AvgPool2d(2, ceil_mode: true), [1, 9, 10] },
        { "AvgPool3d padded", () => AvgPool3d(3, stride: 2, padding: 1), [1, 9, 10, 11] },
        { "PadMaxPool 3D odd", () => new PadMaxPool(3), [4, 9, 10, 11] },
        { "PadMaxPool 2D", () => new PadMaxPool(2), [4, 7, 8] },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void The_formula_gives_libtorchs_shape(string name, Func<Module<Tensor, Tensor>> make, long[] input)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var layer = make();
        layer.eval();

        var computed = LayerShapes.Of(layer, input);

        Assert.True(computed is not null, $"{name}: no formula");
        Assert.Equal(layer.forward(zeros([1, .. input])).shape[1..], computed);
    }

    [Fact]
    public void Steps_aside_for_what_libtorch_must_judge()
    {
        using var scope = NewDisposeScope();
        using var conv = Conv3d(2, 4, 3);
        using var transposed = ConvTranspose3d(2, 4, 3);
        using var norm = BatchNorm3d(2);
        using var pool = MaxPool3d(2);
        using var flatten = Flatten();

        // Wrong channels, a rank the layer does not take, an input smaller than the window: libtorch's error says why.
        Assert.Null(LayerShapes.Of(conv, [1, 9, 9, 9]));
        Assert.Null(LayerShapes.Of(conv, [2, 9, 9]));
        Assert.Null(LayerShapes.Of(conv, [2, 2, 9, 9]));
        Assert.Null(LayerShapes.Of(norm, [3, 9, 9, 9]));
        Assert.Null(LayerShapes.Of(norm, [2, 9, 9]));
        Assert.Null(LayerShapes.Of(pool, [2, 1, 9, 9]));
        // Layers without a formula here are run.
        Assert.Null(LayerShapes.Of(transposed, [2, 9, 9, 9]));
        Assert.Null(LayerShapes.Of(flatten, [2, 9, 9, 9]));
    }

    [Fact]
    public void A_full_size_network_is_built_without_running_its_convolutions()
    {
        // Conv5_FC3 on Clinica's 1 mm crop: every shape by formula, so only the layers' own weights are allocated.
        using var network = NetworkRegistry.Create("Conv5_FC3", [1, 169, 208, 179], 2, 0.0);
        var features = ((ConvolutionalNetwork)network).Convolutions.children().Cast<Module<Tensor, Tensor>>().ToList();
        long[] shape = [1, 169, 208, 179];
        foreach (var layer in features)
        {
            shape = LayerShapes.Of(layer, shape) ?? throw new Xunit.Sdk.XunitException($"{layer.GetName()} has no formula");
        }
        Assert.Equal([128L, 6, 7, 6], shape);
        Assert.Equal(128L * 6 * 7 * 6, NetworkLayers.FlatFeatures(features, [1, 169, 208, 179]));
    }
}
