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
