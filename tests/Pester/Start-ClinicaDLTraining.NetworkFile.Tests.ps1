# Training a network described in a file (examples/networks/conv5-fc3.psd1) or exported from PyTorch as
# TorchScript: the MAPS keeps a copy beside maps.json, which prediction, Grad-CAM, resume and a replay from maps.json
# rebuild the network from.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Suffix = ',ClinicaDL.PowerShell.Commands.StartClinicaDLTrainingCommand'
    # Start-ClinicaDLTraining.Tests.ps1's cached study (4 test sessions).
    $script:Study = Get-TestStudy -ParticipantCount 14 -SessionCount 1 -VoxelSize 3 -Seed 2 -TestSize 4 -KFold 2
    $script:Example = Join-Path $PSScriptRoot '../../examples/networks/conv5-fc3.psd1'
    $script:Common = @{ CapsPath = $Study.Caps; TsvPath = $Study.KFold; Split = 0; Epochs = 1; BatchSize = 4; BootstrapResamples = 20 }
}

Describe 'Start-ClinicaDLTraining with a network file' {
    Context 'a network file given by a relative path' {
        BeforeAll {
            $script:Maps = Join-Path $TestDrive 'maps'
            New-Item -ItemType Directory (Join-Path $TestDrive 'nets') | Out-Null
            Copy-Item $Example (Join-Path $TestDrive 'nets/my-net.psd1')
            Push-Location $TestDrive
            try {
                $script:Results = @(Start-ClinicaDLTraining @Common -OutputPath $Maps -Architecture ./nets/my-net.psd1)
            }
            finally {
                Pop-Location
            }
            # From here on only the MAPS' copy exists.
            Remove-Item (Join-Path $TestDrive 'nets') -Recurse
        }

        It 'trains one epoch and keeps the file as architecture.psd1, named by maps.json' {
            $Results.Status | Should -Be 'Completed'
            $Results.EpochsRun | Should -Be 1
            Join-Path $Maps 'architecture.psd1' | Should -Exist
            (Get-FileHash (Join-Path $Maps 'architecture.psd1')).Hash | Should -Be (Get-FileHash $Example).Hash
            (Get-Content (Join-Path $Maps 'maps.json') -Raw | ConvertFrom-Json).architecture | Should -Be 'architecture.psd1'
            (Get-MapsInfo $Maps).Architecture | Should -Be 'architecture.psd1'
        }

        It 'predicts from the MAPS with the network rebuilt from its copy' {
            $rows = Invoke-ClinicaDLPrediction -MapsPath $Maps -DataGroup test -CapsPath $Study.Caps -TsvPath $Study.Split.SubsetPath
            $rows.Count | Should -Be 4
            $rows.PredictedLabel | ForEach-Object { $_ | Should -BeIn @('AD', 'CN') }
            Join-Path $Maps 'split-0/best-loss/test/test_image_level_metrics.tsv' | Should -Exist
        }

        It 'computes Grad-CAM on the feature maps before the first Flatten' {
            $cam = Invoke-ClinicaDLInterpretation -MapsPath $Maps -DataGroup test -Name cam -Method GradCam -GradCamLevel 5 | Where-Object Kind -EQ mean
            $cam.Path | Should -Exist
            $settings = Get-Content (Join-Path (Split-Path $cam.Path) 'interpretation.json') -Raw | ConvertFrom-Json
            $settings.method | Should -Be 'GradCam'
            $settings.level_grad_cam | Should -Be 5
        }

        It 'resumes a finished run as completed, and replays it from maps.json elsewhere with the same losses' {
            $resumed = @(Resume-ClinicaDLTraining -MapsPath $Maps)
            $resumed.Status | Should -Be 'Completed'
            $replay = Join-Path $TestDrive 'replay'
            $again = @(Start-ClinicaDLTraining -ConfigPath (Join-Path $Maps 'maps.json') -OutputPath $replay)
            $again.Status | Should -Be 'Completed'
            Join-Path $replay 'architecture.psd1' | Should -Exist
            $first = Import-Csv (Join-Path $Maps 'split-0/training_logs/training.tsv') -Delimiter "`t"
            $second = Import-Csv (Join-Path $replay 'split-0/training_logs/training.tsv') -Delimiter "`t"
            $second.loss_train | Should -Be $first.loss_train
        }
    }

    Context 'a mistake in the file' {
        It 'refuses it before anything is written, with InvalidNetworkFile naming the layer' {
            $file = Join-Path $TestDrive 'broken.psd1'
            Set-Content $file "@{ Layers = @( @{ Layer = 'Conv'; Channels = 8; Kernel = 3 }; @{ Layer = 'Linear'; Out = 'output' } ) }"
            $maps = Join-Path $TestDrive 'broken-maps'
            $failure = { Start-ClinicaDLTraining @Common -OutputPath $maps -Architecture $file } | Should -Throw -ErrorId "InvalidNetworkFile$Suffix" -PassThru
            $failure.CategoryInfo.Category | Should -Be 'InvalidData'
            $failure.Exception.Message | Should -BeLike "*Layers``[1``] (Linear): Linear takes flat features but receives 8x*: put a Flatten before it.*"
            $maps | Should -Not -Exist
        }
    }

    Context 'a TorchScript model from PyTorch' {
        BeforeDiscovery {
            # Debian's python3-torch (1.13) writes the model; elsewhere these tests are skipped.
            $script:NoTorch = -not (Test-Path /usr/bin/python3) -or $null -ne (& /usr/bin/python3 -c 'import torch' 2>&1)
        }

        BeforeAll {
            $script:Model = Join-Path $TestDrive 'small-cnn.pt'
            if (-not $NoTorch) {
                & /usr/bin/python3 (Join-Path $PSScriptRoot '../ClinicaDL.Core.Tests/Networks/TorchScript/make_small_cnn.py') $Model | Out-Null
            }
            $script:Scripted = @{ CapsPath = $Study.Caps; TsvPath = $Study.KFold; Split = 0; Epochs = 6; BatchSize = 4; BootstrapResamples = 20; LearningRate = 1e-3 }
            function script:Get-LogWithoutTime([string] $maps) {
                Import-Csv (Join-Path $maps 'split-0/training_logs/training.tsv') -Delimiter "`t" | ForEach-Object { $_.PSObject.Properties.Remove('time'); $_ | ConvertTo-Json -Compress }
            }
        }

        It 'trains it, and resumes a killed run to the same result as an uninterrupted one' -Skip:$NoTorch {
            $whole = Join-Path $TestDrive 'script-whole'
            $results = @(Start-ClinicaDLTraining @Scripted -OutputPath $whole -Architecture $Model)
            $results.Status | Should -Be 'Completed'
            Join-Path $whole 'architecture.pt' | Should -Exist
            $killed = Join-Path $TestDrive 'script-killed'
            $log = Join-Path $killed 'split-0/training_logs/training.tsv'
            $process = Start-ClinicaDLProcess -WatchFile $log -Lines 3 -Command "Start-ClinicaDLTraining -CapsPath '$($Study.Caps)' -TsvPath '$($Study.KFold)' -OutputPath '$killed' -Architecture '$Model' -Split 0 -Epochs 6 -BatchSize 4 -BootstrapResamples 20 -LearningRate 1e-3"
            Stop-Process -Id $process.Id -Force
            $process.WaitForExit()
            @(Get-Content $log).Count | Should -BeLessThan 7 -Because 'the run was stopped before its last epoch'
            Remove-Item $Model
            $resumed = @(Resume-ClinicaDLTraining -MapsPath $killed)
            $resumed.Status | Should -Be 'Completed'
            Get-LogWithoutTime $killed | Should -Be (Get-LogWithoutTime $whole)
        }
    }
}
