# The pooled networks compute their convolution stack in a faster order than the layer list reads
# (ConvolutionalNetwork.Features); these tests hold it to the plain layer-by-layer forward pass,
# values and gradients, on odd and even sizes so that PadMaxPool's padding is exercised.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    # Loads libtorch (the module does it on first use).
    Test-ClinicaDLEnvironment -Steps 2 | Out-Null

    function Compare-ConvolutionStack([string] $Network, [long[]] $SampleShape) {
        [TorchSharp.torch]::manual_seed(3) | Out-Null
        $net = [ClinicaDL.Core.Networks.NetworkRegistry]::Create($Network, $SampleShape, 2, 0.0)
        $input = [TorchSharp.torch]::randn([long[]](@(2) + $SampleShape))
        $fast = $net.Features($input)
        $fast.sum().backward()
        $fastGradients = @($net.Convolutions.parameters() | ForEach-Object { $_.grad.clone() })
        $net.zero_grad()
        $plain = $net.Convolutions.forward($input)
        $plain.sum().backward()
        # Relative to the largest gradient: a convolution bias followed by BatchNorm has a gradient of zero
        # up to rounding, which no relative comparison of its own can use.
        $scale = ($net.Convolutions.parameters() | ForEach-Object { $_.grad.abs().max().item[float]() } | Measure-Object -Maximum).Maximum
        $index = 0
        $worstGradient = 0.0
        foreach ($parameter in $net.Convolutions.parameters()) {
            $worstGradient = [Math]::Max($worstGradient, ($fastGradients[$index] - $parameter.grad).abs().max().item[float]() / $scale)
            $index++
        }
        [pscustomobject]@{
            FastShape = $fast.shape -join 'x'
            PlainShape = $plain.shape -join 'x'
            ValueDifference = ($fast - $plain).abs().max().item[float]()
            ValueScale = $plain.abs().max().item[float]()
            WorstRelativeGradientDifference = $worstGradient
            GradientCount = $index
        }
    }
}

Describe 'Convolution stacks' {
    It '<Network> at <Shape> gives the plain forward pass values and gradients' -ForEach @(
        @{ Network = 'Conv5_FC3'; Shape = '1x21x26x23' }
        @{ Network = 'Conv4_FC3'; Shape = '1x33x40x35' }
        @{ Network = 'Stride_Conv5_FC3'; Shape = '1x33x40x35' }
        @{ Network = 'Conv5_FC3'; Shape = '1x64x64' }
    ) {
        $comparison = Compare-ConvolutionStack $Network ([long[]]($Shape -split 'x'))
        $comparison.FastShape | Should -Be $comparison.PlainShape
        $comparison.ValueScale | Should -BeGreaterThan 0.1
        $comparison.ValueDifference | Should -BeLessThan (1e-5 * $comparison.ValueScale + 1e-5)
        $comparison.GradientCount | Should -BeGreaterThan 10
        $comparison.WorstRelativeGradientDifference | Should -BeLessThan 1e-5
    }
}

Describe 'resnet18' {
    It 'is torchvision''s ResNet-18 under ClinicaDL''s layer names, pooled over the whole final map' {
        [TorchSharp.torch]::manual_seed(1) | Out-Null
        $net = [ClinicaDL.Core.Networks.NetworkRegistry]::Create('resnet18', [long[]]@(3, 57, 70), 3, 0.5)
        $names = @($net.state_dict().Keys)
        foreach ($name in 'convolutions.0.weight', 'convolutions.1.running_mean', 'convolutions.4.0.conv1.weight', 'convolutions.4.1.bn2.weight',
            'convolutions.5.0.downsample.0.weight', 'convolutions.7.1.conv2.weight', 'fc.1.weight', 'fc.fc_out.weight') {
            $names | Should -Contain $name
        }
        $names | Should -Not -Contain 'convolutions.4.0.downsample.0.weight' -Because 'the first stage keeps 64 channels at stride 1'
        $net.state_dict()['fc.1.weight'].shape | Should -Be @(1000, 512)
        $parameters = ($net.parameters() | ForEach-Object { $_.numel() } | Measure-Object -Sum).Sum
        # torchvision's resnet18 has 11,689,512 parameters with its 512-1000 head; ClinicaDL adds 1000 x 3 + 3.
        $parameters | Should -Be (11689512 + 3003)
        $net.eval()
        $output = $net.forward([TorchSharp.torch]::randn([long[]]@(2, 3, 57, 70)))
        $output.shape | Should -Be @(2, 3)
        $features = $net.Features([TorchSharp.torch]::randn([long[]]@(1, 3, 57, 70)), $net.FeatureLayerCount)
        $features.shape | Should -Be @(1, 512, 1, 1)
    }

    It 'refuses 3D images and slices too small for its five halvings' {
        { [ClinicaDL.Core.Networks.NetworkRegistry]::Create('resnet18', [long[]]@(1, 57, 70, 60), 2, 0.0) } | Should -Throw '*resnet18 takes 2D slices*'
        { [ClinicaDL.Core.Networks.NetworkRegistry]::Create('resnet18', [long[]]@(3, 20, 70), 2, 0.0) } | Should -Throw '*at least 32 pixels*'
    }
}

Describe 'Autoencoders' {
    It 'AE_Conv5_FC3 gives back the input''s shape at <Shape>, under ClinicaDL''s layer names' -ForEach @(
        @{ Shape = '1x21x26x23' }
        @{ Shape = '1x33x40' }
    ) {
        $dimensions = [long[]]($Shape -split 'x')
        [TorchSharp.torch]::manual_seed(2) | Out-Null
        $net = [ClinicaDL.Core.Networks.NetworkRegistry]::Create('AE_Conv5_FC3', $dimensions, 1, 0.0)
        $input = [TorchSharp.torch]::rand([long[]](@(2) + $dimensions))
        $output = $net.forward($input)
        ($output.shape -join 'x') | Should -Be "2x$Shape"
        $output.sum().backward()
        $net.parameters() | ForEach-Object { $_.grad } | Where-Object { $null -eq $_ } | Should -BeNullOrEmpty
        $names = @($net.state_dict().Keys)
        foreach ($name in 'encoder.0.weight', 'encoder.1.running_var', 'encoder.16.weight', 'decoder.1.weight', 'decoder.2.weight', 'decoder.17.weight', 'decoder.18.weight') {
            $names | Should -Contain $name
        }
        # The last transposed convolution maps 8 channels back to the input's 1.
        $net.state_dict()['decoder.17.weight'].shape[0..1] | Should -Be @(8, 1)
    }

    It 'CAE_half takes 1x80x96x80 images through a latent code of latent_space_size' {
        $net = [ClinicaDL.Core.Networks.NetworkRegistry]::Create('CAE_half', [long[]]@(1, 80, 96, 80), 1, 0.0, 64)
        $net.state_dict()['encoder.4.weight'].shape | Should -Be @(64, 153600)
        $net.state_dict()['decoder.0.weight'].shape | Should -Be @(307200, 64)
        $net.state_dict().Keys | Should -Contain 'encoder.0.layer.0.weight'
        $net.eval()
        ($net.forward([TorchSharp.torch]::rand([long[]]@(1, 1, 80, 96, 80))).shape -join 'x') | Should -Be '1x1x80x96x80'
    }
}
