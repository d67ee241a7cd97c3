using ClinicaDL.Core.Networks;
using static ClinicaDL.Core.Tests.Networks.ParameterFormulas;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Networks;

/// <summary>
/// Each built-in network's parameter count against the count of ClinicaDL's layer list worked out layer by layer
/// (<see cref="ParameterFormulas"/>), at the shapes ClinicaDL's documentation tabulates: a mismatch means a layer
/// is missing, has the wrong size or has a bias it should not have, and a checkpoint would not load in ClinicaDL.
/// </summary>
public sealed class ParameterCountTests
{
    public ParameterCountTests() => TorchNatives.EnsureLoaded();

    public static TheoryData<string, long[], int, long> Counts() => new()
    {
        // Feature sizes from ClinicaDL's table: 128x6x7x6 = 32256 (t1-linear), 128x7x6 = 5376 (sagittal rgb slice),
        // 128x3x3x3 = 3456 (size_reduction_factor 2), 128x2x2x2 = 1024 (default patch).
        { "Conv5_FC3", [1, 169, 208, 179], 2, Conv5FC3([1, 169, 208, 179], 2) },
        { "Conv5_FC3", [3, 208, 179], 3, Conv5FC3([3, 208, 179], 3) },
        { "Conv5_FC3", [1, 50, 50, 50], 1, Conv5FC3([1, 50, 50, 50], 1) },
        { "Conv4_FC3", [1, 80, 96, 80], 2, Conv4FC3([1, 80, 96, 80], 2) },
        { "Conv4_FC3", [3, 169, 179], 2, Conv4FC3([3, 169, 179], 2) },
        { "Stride_Conv5_FC3", [1, 169, 208, 179], 2, StrideConv5FC3([1, 169, 208, 179], 2) },
        { "Stride_Conv5_FC3", [3, 169, 208], 1, StrideConv5FC3([3, 169, 208], 1) },
        { "resnet18", [3, 208, 179], 2, ResNet18(3, 2) },
        { "resnet18", [1, 64, 64], 1, ResNet18(1, 1) },
        { "ResNet3D", [1, 169, 208, 179], 2, ResNet3D(2) },
        { "ResNet3D", [1, 169, 208, 179], 1, ResNet3D(1) },
        { "AE_Conv5_FC3", [1, 80, 96, 80], 1, ConvolutionalAutoEncoder(1, 3) },
        { "AE_Conv5_FC3", [3, 208, 179], 1, ConvolutionalAutoEncoder(3, 2) },
        { "AE_Conv4_FC3", [1, 50, 50, 50], 1, ConvolutionalAutoEncoder(1, 3) },
        { "CAE_half", [1, 80, 96, 80], 1, HalfConvolutionalAutoEncoder(128) },
    };

    [Theory]
    [MemberData(nameof(Counts))]
    public void Has_the_parameters_of_clinicadls_layer_list(string name, long[] sampleShape, int outputs, long expected)
    {
        using var net = NetworkRegistry.Create(name, sampleShape, outputs, 0.0);

        Assert.Equal(expected, net.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void The_formulas_give_clinicadls_feature_sizes_and_torchvisions_resnet18()
    {
        Assert.Equal(32256, PooledFeatures([1, 169, 208, 179]));
        Assert.Equal(5376, PooledFeatures([3, 208, 179]));
        Assert.Equal(4608, PooledFeatures([3, 169, 179]));
        Assert.Equal(3456, PooledFeatures([1, 80, 96, 80]));
        Assert.Equal(1024, PooledFeatures([1, 50, 50, 50]));
        // A stride-2 convolution (kernel 3, padding 1) halves as PadMaxPool does: ceil(n / 2).
        Assert.Equal(PooledFeatures([1, 169, 208, 179]), StridedFeatures([1, 169, 208, 179]));
        // torchvision's resnet18: 11,689,512 parameters with its 512-1000 head; ClinicaDL adds 1000 x out + out.
        Assert.Equal(11689512 + 1000 * 2 + 2, ResNet18(3, 2));
        // ResNet3D's five MaxPool3d(3, 2): 169x208x179 to 4x5x4, 128 x 80 = 10240 features.
        Assert.Equal([4L, 5, 4], new long[] { 169, 208, 179 }.Select(s => Enumerable.Range(0, 5).Aggregate(s, (n, _) => Output(n, 3, 2, 0))));
        // CAE_half: three stride-2 convolutions take 80x96x80 to 10x12x10: 128 x 1200 = 153600, and its decoder starts from 256 x 1200.
        Assert.Equal([10L, 12, 10], new long[] { 80, 96, 80 }.Select(s => Enumerable.Range(0, 3).Aggregate(s, (n, _) => Output(n, 3, 2, 1))));
    }

    [Theory]
    [InlineData("Conv5_FC3", new long[] { 1, 169, 208, 179 }, "fc.2.weight", 1300, 32256)]
    [InlineData("Conv5_FC3", new long[] { 3, 208, 179 }, "fc.2.weight", 1300, 5376)]
    [InlineData("Conv4_FC3", new long[] { 1, 80, 96, 80 }, "fc.2.weight", 50, 3456)]
    [InlineData("Stride_Conv5_FC3", new long[] { 1, 50, 50, 50 }, "fc.2.weight", 1300, 1024)]
    [InlineData("ResNet3D", new long[] { 1, 169, 208, 179 }, "fc.1.weight", 256, 10240)]
    public void The_first_dense_layer_takes_the_flattened_feature_map(string name, long[] sampleShape, string layer, long outputs, long features)
    {
        using var net = NetworkRegistry.Create(name, sampleShape, 2, 0.0);

        Assert.Equal([outputs, features], net.state_dict()[layer].shape);
    }

    [Theory]
    [InlineData("Conv5_FC3", new long[] { 1, 35, 42, 36 }, 3, new long[] { 2, 3 })]
    [InlineData("Conv4_FC3", new long[] { 1, 33, 40 }, 2, new long[] { 2, 2 })]
    [InlineData("Stride_Conv5_FC3", new long[] { 2, 21, 26, 23 }, 1, new long[] { 2, 1 })]
    [InlineData("resnet18", new long[] { 3, 57, 70 }, 4, new long[] { 2, 4 })]
    [InlineData("AE_Conv5_FC3", new long[] { 1, 35, 42, 36 }, 1, new long[] { 2, 1, 35, 42, 36 })]
    [InlineData("AE_Conv4_FC3", new long[] { 2, 33, 40 }, 1, new long[] { 2, 2, 33, 40 })]
    public void Gives_one_output_per_sample_or_the_input_shape_back(string name, long[] sampleShape, int outputs, long[] expected)
    {
        using var net = NetworkRegistry.Create(name, sampleShape, outputs, 0.0);
        net.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        Assert.Equal(expected, net.forward(rand([2, .. sampleShape])).shape);
    }

    [Fact]
    public void ResNet3D_gives_one_output_per_class_for_a_t1_linear_image()
    {
        using var net = NetworkRegistry.Create("ResNet3D", [1, 169, 208, 179], 3, 0.0);
        net.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        Assert.Equal([1L, 3], net.forward(rand([1, 1, 169, 208, 179])).shape);
    }
}
