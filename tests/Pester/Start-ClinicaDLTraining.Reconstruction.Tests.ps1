# The reconstruction task: ClinicaDL's autoencoders trained to give back their input, scored per image by MAE,
# RMSE, PSNR and SSIM; the saved inputs and reconstructions hold the scores that the tables report.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Suffix = ',ClinicaDL.PowerShell.Commands.StartClinicaDLTrainingCommand'
    # The cached study and MAPS (TestHelpers; Invoke-ClinicaDLPrediction's tests share them), both copied: a test
    # extracts patches into the CAPS, and the cache is not where Invoke-ClinicaDLInterpretation should be tried.
    # $Result is what the cached training emitted.
    $study = Get-TestStudy -ParticipantCount 10 -SessionCount 1 -VoxelSize 3 -Seed 31 -TestSize 2 -KFold 2 -CopyTo (Join-Path $TestDrive 'study')
    $script:Caps = $study.Caps
    $folds = $study.Folds
    $script:Common = @{ CapsPath = $Caps; TsvPath = (Split-Path $folds[0].Path); Split = 0; BatchSize = 2; BootstrapResamples = 20; Normalize = $true; LearningRate = 1e-3; Task = 'Reconstruction' }
    $script:Maps = Join-Path $TestDrive 'maps'
    $script:Result = (Get-TestMaps -Study $study -Training ($Common + @{ Epochs = 4 }) -CopyTo $Maps).Results
    $script:Best = Join-Path $Maps 'split-0/best-loss'
    # libtorch for the tensor arithmetic below: a cached MAPS trains nothing in this process to load it.
    [ClinicaDL.Core.Runtime.TorchRuntime]::EnsureLoaded()
    function script:Read-Tsv([string] $path) { Import-Csv -LiteralPath $path -Delimiter "`t" }
    function script:Read-Tensor([string] $path) {
        $read = [ClinicaDL.Core.Imaging.TensorFile]::Read($path)
        [TorchSharp.torch]::tensor($read.Item2).reshape($read.Item1).to([TorchSharp.torch+ScalarType]::Float64)
    }
}

Describe 'Start-ClinicaDLTraining -Task Reconstruction' {
    It 'records the task with ClinicaDL''s keys and logs the reconstruction metrics' {
        $Result.Status | Should -Be 'Completed'
        $json = Get-Content (Join-Path $Maps 'maps.json') -Raw | ConvertFrom-Json
        $json.network_task | Should -Be 'reconstruction'
        $json.architecture | Should -Be 'AE_Conv5_FC3'
        $json.label | Should -BeNullOrEmpty
        $json.loss | Should -Be 'MSELoss'
        $json.output_size | Should -Be @(1, 57, 70, 60)
        $header = (Get-Content (Join-Path $Maps 'split-0/training_logs/training.tsv') -TotalCount 1) -split "`t"
        $header | Should -Be @('epoch', 'iteration', 'time', 'MAE_train', 'RMSE_train', 'PSNR_train', 'SSIM_train', 'loss_train', 'MAE_valid', 'RMSE_valid', 'PSNR_valid', 'SSIM_valid', 'loss_valid', 'learning_rate')
    }

    It 'learns to give its input back' {
        $log = Get-MapsTrainingLog $Maps
        $log[-1].loss_train | Should -BeLessThan $log[0].loss_train
        $log[-1].PSNR_train | Should -BeGreaterThan $log[0].PSNR_train
    }

    It 'reports for each image the scores of the reconstruction it saved' {
        $input = Get-ChildItem (Join-Path $Best 'validation/tensors') -Filter '*_image-0_input.tensor'
        $input.Count | Should -Be 1
        $truth = Read-Tensor $input.FullName
        $output = Read-Tensor ($input.FullName -replace '_input\.tensor$', '_output.tensor')
        $truth.shape | Should -Be @(1, 57, 70, 60)
        $output.shape | Should -Be @(1, 57, 70, 60)
        $participant = $input.Name.Split('_')[0]
        $row = Read-Tsv (Join-Path $Best 'validation/validation_image_level_prediction.tsv') | Where-Object participant_id -eq $participant
        $mse = ($output - $truth).square().mean().item[double]()
        [Math]::Abs([double]$row.MAE - ($output - $truth).abs().mean().item[double]()) | Should -BeLessThan 1e-6
        [Math]::Abs([double]$row.RMSE - [Math]::Sqrt($mse)) | Should -BeLessThan 1e-6
        # Normalised images lie in [0, 1]: skimage's data range is 1.
        [Math]::Abs([double]$row.PSNR - 10 * [Math]::Log10(1 / $mse)) | Should -BeLessThan 1e-5
        [double]$row.SSIM | Should -BeGreaterThan -1
        [double]$row.SSIM | Should -BeLessThan 1
        $metrics = Get-MapsResult $Maps -DataGroup validation -SelectionMetric loss
        $mean = (Read-Tsv (Join-Path $Best 'validation/validation_image_level_prediction.tsv') | ForEach-Object { [double]$_.PSNR } | Measure-Object -Average).Average
        [Math]::Abs($metrics.PSNR - $mean) | Should -BeLessThan 1e-9
        $metrics.PSNR_Lower | Should -BeLessOrEqual $metrics.PSNR
    }

    It 'scores patches one by one, with no image-level result (as ClinicaDL)' {
        Export-ClinicaDLTensor $Caps Patch -PatchSize 24 -StrideSize 24 -ExtractJson patch24 | Out-Null
        $maps = Join-Path $TestDrive 'maps-patch'
        (Start-ClinicaDLTraining @Common -Epochs 1 -ExtractJson patch24 -OutputPath $maps).Status | Should -Be 'Completed'
        $parts = Read-Tsv (Join-Path $maps 'split-0/best-loss/validation/validation_patch_level_prediction.tsv')
        ($parts.patch_id | Sort-Object -Unique).Count | Should -Be 8
        Join-Path $maps 'split-0/best-loss/validation/validation_image_level_prediction.tsv' | Should -Not -Exist
        (Get-MapsResult $maps -DataGroup validation -Level Part).SSIM | Should -Not -BeNullOrEmpty
    }

    It 'refuses <Case>' -ForEach @(
        @{ Case = 'a classification network'; Arguments = @{ Architecture = 'Conv5_FC3' }; Message = '*Conv5_FC3 is not a reconstruction network; reconstruction takes AE_Conv5_FC3, AE_Conv4_FC3, CAE_half*' }
        @{ Case = 'the weighted sampler'; Arguments = @{ Sampler = 'weighted' }; Message = '*use the random sampler*' }
        @{ Case = 'CAE_half on images it was not written for'; Arguments = @{ Architecture = 'CAE_half' }; Message = '*CAE_half takes only 1x80x96x80 images*' }
        @{ Case = 'a VAE with a loss that has no KL term'; Arguments = @{ Architecture = 'Vanilla3DspacialVAE'; Loss = 'MSELoss' }; Message = '*Vanilla3DspacialVAE is a VAE*choose VAEGaussianLoss, VAEBernoulliLoss, VAEContinuousBernoulliLoss, not MSELoss*' }
        @{ Case = 'a VAE loss for a network without a code distribution'; Arguments = @{ Loss = 'VAEGaussianLoss' }; Message = '*VAEGaussianLoss needs the code''s mean and variance*AE_Conv5_FC3 is not one*' }
        @{ Case = 'a VAE on images it was not written for'; Arguments = @{ Architecture = 'CVAE_3D_half' }; Message = '*CVAE_3D_half takes only 1x80x96x80, 1x56x64x56, 1x40x48x40, 1x32x40x32 images*' }
    ) {
        $maps = Join-Path $TestDrive "refused-$($Case.Length)"
        { Start-ClinicaDLTraining @Common @Arguments -Epochs 1 -OutputPath $maps -ErrorAction Stop } | Should -Throw -ErrorId "InvalidInput$Suffix" -ExpectedMessage $Message
        $maps | Should -Not -Exist
    }

    It 'trains ClinicaDL''s Vanilla3DspacialVAE with ClinicaDL''s VAE loss, its KL term weighted by kl_weight' {
        # The reconstruction term weighted 0 (recons_weight): what the loss keeps is the KL term alone. The terms
        # themselves are checked against ClinicaDL's vae_utils.py by VariationalAutoEncoderTests.
        $config = Join-Path $TestDrive 'kl-only.toml'
        Set-Content -LiteralPath $config -Value "[Model]`nrecons_weight = 0`nkl_weight = 1"
        $vae = Join-Path $TestDrive 'maps-vae'
        (Start-ClinicaDLTraining @Common -Epochs 1 -Architecture Vanilla3DspacialVAE -ConfigPath $config -OutputPath $vae).Status | Should -Be 'Completed'
        $json = Get-Content (Join-Path $vae 'maps.json') -Raw | ConvertFrom-Json
        $json.architecture | Should -Be 'Vanilla3DspacialVAE'
        $json.loss | Should -Be 'VAEGaussianLoss'
        $json.recons_weight | Should -Be 0
        $json.kl_weight | Should -Be 1
        $log = Get-MapsTrainingLog $vae
        # The squared error summed over 57x70x60 images would be in the hundreds; the KL term of a two-value code is small but never zero.
        $log[-1].loss_valid | Should -BeGreaterThan 0
        $log[-1].loss_valid | Should -BeLessThan 1
        $log[-1].loss_train | Should -BeGreaterThan 0
        # The reconstruction metrics are reported for a VAE as for the autoencoders.
        $row = Read-Tsv (Join-Path $vae 'split-0/best-loss/validation/validation_image_level_prediction.tsv') | Select-Object -First 1
        [double]$row.MAE | Should -BeGreaterThan 0
        # As ClinicaDL's metrics files, the loss's terms follow it: recon_loss and kl_loss, without intervals; here the
        # loss is kl_weight x kl_loss alone, and the squared error it leaves out is large.
        $metrics = Read-Tsv (Join-Path $vae 'split-0/best-loss/validation/validation_image_level_metrics.tsv')
        ($metrics[0].PSObject.Properties.Name | Select-Object -Last 3) | Should -Be @('loss', 'recon_loss', 'kl_loss')
        [double]$metrics[0].loss | Should -Be ([double]$metrics[0].kl_loss)
        [double]$metrics[0].recon_loss | Should -BeGreaterThan 10
        $metrics[1].kl_loss | Should -Be 'N/A'
    }

    It 'leaves saliency maps to classification and regression' {
        { Invoke-ClinicaDLInterpretation -MapsPath $Maps -DataGroup validation -Name grad -Method Gradients -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*holds a reconstruction network*'
    }
}
