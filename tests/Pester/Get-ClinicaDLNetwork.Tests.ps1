BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Suffix = ',ClinicaDL.PowerShell.Commands.GetClinicaDLNetworkCommand'
}

Describe 'Get-ClinicaDLNetwork' {
    It 'lists every network by default, and those a pattern matches, each once' {
        (Get-ClinicaDLNetwork).Name | Should -Contain 'Conv5_FC3'
        (Get-ClinicaDLNetwork Conv*, Conv5*).Name | Should -Be @('Conv5_FC3', 'Conv4_FC3', 'Conv5_FC3_SSDA')
    }

    It 'reports a name no network has with NetworkNotFound, listing the networks, and lists the others' {
        $found = Get-ClinicaDLNetwork Conv9, resnet18 -ErrorVariable problems -ErrorAction SilentlyContinue
        $found.Name | Should -Be 'resnet18'
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be "NetworkNotFound$Suffix"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be 'Conv9'
        $problems[0].Exception.Message | Should -BeLike "ClinicaDL has no network 'Conv9' (it has: Conv5_FC3, Conv4_FC3, *ResNet3D*)."
    }

    It 'lists nothing, without an error, for a pattern that matches nothing' {
        Get-ClinicaDLNetwork 'VGG*' -ErrorVariable problems | Should -BeNullOrEmpty
        $problems | Should -BeNullOrEmpty
    }

    It 'lists the architectures with the shapes they take' {
        $networks = Get-ClinicaDLNetwork
        $networks.Name | Should -Be @('Conv5_FC3', 'Conv4_FC3', 'Stride_Conv5_FC3', 'Conv5_FC3_SSDA', 'resnet18', 'ResNet3D', 'AE_Conv5_FC3', 'AE_Conv4_FC3', 'CAE_half',
            'SqueezeExcitationCNN', 'VanillaDenseVAE', 'VanillaSpatialVAE', 'Vanilla3DdenseVAE', 'Vanilla3DspacialVAE', 'CVAE_3D', 'CVAE_3D_half', 'CVAE_3D_final_conv', 'GeneratorUNet', 'RandomArchitecture')
        ($networks | Where-Object Name -eq 'RandomArchitecture').Parameters | Should -Contain 'convolutions_dict'
        ($networks | Where-Object Name -eq 'RandomArchitecture').Tasks | Should -Be @('classification', 'regression')
        ($networks | Where-Object Name -eq 'Vanilla3DdenseVAE').Parameters | Should -Be @('size_reduction_factor', 'latent_space_size', 'feature_size', 'n_conv', 'io_layer_channels', 'recons_weight', 'kl_weight')
        ($networks | Where-Object Name -like '*VAE*').Tasks | Sort-Object -Unique | Should -Be 'reconstruction'
        (Get-ClinicaDLNetwork ResNet3*).InputShapes | Should -Match '169 x 208 x 179'
        (Get-ClinicaDLNetwork Conv5_FC3_SSDA).Tasks | Should -Be 'classification'
    }

    Context 'a network file' {
        BeforeAll {
            $script:Example = Join-Path $PSScriptRoot '../../examples/networks/conv5-fc3.psd1'
        }

        It 'shows each layer with its output shape, the parameter count and a training step''s memory' {
            # 2 mm t1-linear crops (the 1 mm shape, 1,169,208,179, gives 42,293,972 parameters; built by formula in seconds, see LayerShapesTests).
            $summary = Get-ClinicaDLNetwork -Path $Example -InputShape 1, 85, 104, 90
            $summary.Name | Should -Be 'Conv5_FC3 (file)'
            $summary.Tasks | Should -Be @('classification', 'regression')
            $summary.Layers.Count | Should -Be 27
            $summary.Layers[19].OutputShape.ToString() | Should -Be '128x3x4x3'
            $summary.Layers[22].Parameters | Should -Be (4608 * 1300 + 1300)
            $summary.OutputShape.ToString() | Should -Be '2'
            # Convolutions and BatchNorm 294,720, FC 5,991,700 + 65,050 + 102 (Conv5_FC3's formula).
            $summary.ParameterCount | Should -Be 6351572
            $summary.TrainingStepBytes | Should -BeGreaterThan (4 * 4 * 6351572)
            $summary.Optimizer | Should -Be 'Adam'
            ($summary | Out-String) | Should -Match 'TrainingStepMemory\s*:\s*[\d,]+ MB \(batch 8, Adam\)'
        }

        It 'takes the file from the pipeline by its path, and the task''s outputs from -OutputSize' {
            $summary = Get-Item $Example | Get-ClinicaDLNetwork -InputShape 1, 40, 48, 40 -OutputSize 3 -BatchSize 2 -Optimizer SGD
            $summary.OutputShape.ToString() | Should -Be '3'
            $summary.BatchSize | Should -Be 2
        }

        It 'estimates the memory for every optimiser training takes, the ones with more state needing more' {
            $byOptimizer = @{}
            foreach ($optimizer in [ClinicaDL.Core.Training.Optimizers]::Names) {
                $byOptimizer[$optimizer] = (Get-ClinicaDLNetwork -Path $Example -InputShape 1, 40, 48, 40 -Optimizer $optimizer).TrainingStepBytes
            }
            # Adam keeps two values per parameter, RMSprop one, SGD none (as configured here: no momentum).
            $byOptimizer['Adam'] | Should -BeGreaterThan $byOptimizer['RMSprop']
            $byOptimizer['RMSprop'] | Should -BeGreaterThan $byOptimizer['SGD']
        }

        It 'reports a mistake with InvalidNetworkFile naming the layer, and goes on with the next file' {
            $broken = Join-Path $TestDrive 'broken.json'
            Set-Content $broken '{ "Layers": [ { "Layer": "Conv", "Channels": 4, "Kernal": 3 } ] }'
            $found = Get-ClinicaDLNetwork -Path $broken, $Example -InputShape 1, 24, 24 -ErrorVariable problems -ErrorAction SilentlyContinue
            @($found).Count | Should -Be 1
            $problems[0].FullyQualifiedErrorId | Should -Be "InvalidNetworkFile$Suffix"
            $problems[0].TargetObject | Should -Be $broken
            $problems[0].Exception.Message | Should -BeLike "Network file '*broken.json': Layers``[0``] (Conv): unknown keyword 'Kernal'; Conv takes *Kernel*"
        }
    }
}
