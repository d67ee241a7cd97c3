using ClinicaDL.Core.Networks;
using static TorchSharp.torch;

namespace ClinicaDL.Core.Tests.Networks;

public sealed class ResNet18Tests
{
    public ResNet18Tests() => TorchNatives.EnsureLoaded();

    [Fact]
    public void Is_torchvisions_resnet18_under_clinicadls_layer_names_pooled_over_the_whole_final_map()
    {
        manual_seed(1);
        using var net = (ResNet18)NetworkRegistry.Create("resnet18", [3, 57, 70], 3, 0.5);
        using var scope = NewDisposeScope();
        var state = net.state_dict();

        foreach (var name in new[] { "convolutions.0.weight", "convolutions.1.running_mean", "convolutions.4.0.conv1.weight", "convolutions.4.1.bn2.weight",
            "convolutions.5.0.downsample.0.weight", "convolutions.7.1.conv2.weight", "fc.1.weight", "fc.fc_out.weight" })
        {
            Assert.Contains(name, state.Keys);
        }
        // The first stage keeps 64 channels at stride 1.
        Assert.DoesNotContain("convolutions.4.0.downsample.0.weight", state.Keys);
        Assert.Equal([1000L, 512], state["fc.1.weight"].shape);
        // torchvision's resnet18 has 11,689,512 parameters with its 512-1000 head; ClinicaDL adds 1000 x 3 + 3.
        Assert.Equal(11689512 + 3003, net.parameters().Sum(p => p.numel()));
        net.eval();
        Assert.Equal([2L, 3], net.forward(randn(2, 3, 57, 70)).shape);
        Assert.Equal([1L, 512, 1, 1], net.Features(randn(1, 3, 57, 70), net.FeatureLayerCount).shape);
    }

    [Fact]
    public void Refuses_3D_images_and_slices_too_small_for_its_five_halvings()
    {
        Assert.Contains("resnet18 takes 2D slices", Assert.Throws<ArgumentException>(() => NetworkRegistry.Create("resnet18", [1, 57, 70, 60], 2, 0.0)).Message);
        Assert.Contains("at least 32 pixels", Assert.Throws<ArgumentException>(() => NetworkRegistry.Create("resnet18", [3, 20, 70], 2, 0.0)).Message);
    }
}
