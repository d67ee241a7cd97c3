BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Suffix = ',ClinicaDL.PowerShell.Commands.GetClinicaDLNetworkCommand'
}

Describe 'Get-ClinicaDLNetwork' {
    It 'lists every network by default, and those a pattern matches, each once' {
        (Get-ClinicaDLNetwork).Name | Should -Contain 'Conv5_FC3'
        (Get-ClinicaDLNetwork Conv*, Conv5*).Name | Should -Be @('Conv5_FC3', 'Conv4_FC3')
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
        $networks.Name | Should -Be @('Conv5_FC3', 'Conv4_FC3', 'Stride_Conv5_FC3', 'resnet18', 'ResNet3D', 'AE_Conv5_FC3', 'AE_Conv4_FC3', 'CAE_half',
            'SqueezeExcitationCNN', 'VanillaDenseVAE', 'VanillaSpatialVAE', 'Vanilla3DdenseVAE', 'Vanilla3DspacialVAE', 'CVAE_3D', 'CVAE_3D_half', 'CVAE_3D_final_conv', 'GeneratorUNet')
        ($networks | Where-Object Name -eq 'Vanilla3DdenseVAE').Parameters | Should -Be @('size_reduction_factor', 'latent_space_size', 'feature_size', 'n_conv', 'io_layer_channels', 'recons_weight', 'kl_weight')
        ($networks | Where-Object Name -like '*VAE*').Tasks | Sort-Object -Unique | Should -Be 'reconstruction'
        (Get-ClinicaDLNetwork ResNet3*).InputShapes | Should -Match '169 x 208 x 179'
    }
}
