# Resuming a stopped training: the state a killed run leaves, or one made by hand from a finished MAPS, completes to
# the same training logs and weights as a run that was never stopped. The studies and reference MAPS come from
# TestHelpers' cache, read and never written: the tests copy what they alter.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force

    # training.tsv without its time column, which measures the machine rather than the training.
    function Get-LogWithoutTime([string] $maps, [int] $split = 0) {
        Get-Content (Join-Path $maps "split-$split/training_logs/training.tsv") | ForEach-Object { ($_ -split "`t" | Select-Object -Index (@(0, 1) + 3..40)) -join "`t" }
    }
    function Get-FileHashText([string] $path) { (Get-FileHash -LiteralPath $path -Algorithm SHA256).Hash }

}

Describe 'Resume-ClinicaDLTraining' {
    Context 'a MAPS of one network' {
        BeforeAll {
            # Start-ClinicaDLTraining.Tests.ps1's study, and a MAPS of split 0 trained one epoch.
            $study = Get-TestStudy -ParticipantCount 14 -SessionCount 1 -VoxelSize 3 -Seed 2 -TestSize 4 -KFold 2
            $Caps = $study.Caps
            $KFold = $study.KFold
            $Common = @{ CapsPath = $Caps; TsvPath = $KFold; Epochs = 2; BatchSize = 4; LearningRate = 5e-4; BootstrapResamples = 200 }
            $OneEpoch = (Get-TestMaps -Study $study -Training @{ Split = 0; Epochs = 1; BatchSize = 4; LearningRate = 5e-4; BootstrapResamples = 200 }).Path
        }

        It 'refuses to resume a MAPS whose creation did not finish, and a folder that is not a MAPS' {
            $partial = Join-Path $TestDrive 'partial'
            New-Item -ItemType Directory $partial | Out-Null
            Copy-Item (Join-Path $OneEpoch 'maps.json') $partial
            { Resume-ClinicaDLTraining -MapsPath $partial } | Should -Throw -ErrorId 'InvalidMaps,ClinicaDL.PowerShell.Commands.ResumeClinicaDLTrainingCommand' -ExpectedMessage '*incomplete MAPS*groups*'
            { Resume-ClinicaDLTraining -MapsPath $TestDrive } | Should -Throw -ErrorId 'MapsNotFound,ClinicaDL.PowerShell.Commands.ResumeClinicaDLTrainingCommand'
        }

        It 'counts the epochs of a network that had ended before the stop' {
            # A run stopped after its network ended but before the split's summary: resuming only writes the summary.
            $ended = Join-Path $TestDrive 'ended'
            Copy-Item $OneEpoch $ended -Recurse
            New-Item -ItemType Directory (Join-Path $ended 'split-0/tmp') | Out-Null
            Set-Content (Join-Path $ended 'split-0/tmp/training.ended') 'Completed after 1 epoch(s)'
            $resumed = Resume-ClinicaDLTraining -MapsPath $ended
            $resumed.Status | Should -Be 'Completed'
            $resumed.EpochsRun | Should -Be 1
        }

        It 'resumes a killed run to the same result as an uninterrupted one' {
            $uninterrupted = Join-Path $TestDrive 'whole'
            $killed = Join-Path $TestDrive 'killed'
            Start-ClinicaDLTraining @Common -OutputPath $uninterrupted -Split 0 -Epochs 5 | Out-Null
            $log = Join-Path $killed 'split-0/training_logs/training.tsv'
            $process = Start-ClinicaDLProcess -WatchFile $log -Lines 3 -Command "Start-ClinicaDLTraining -CapsPath '$Caps' -TsvPath '$KFold' -OutputPath '$killed' -Split 0 -Epochs 5 -BatchSize 4 -LearningRate 5e-4 -BootstrapResamples 200"
            Stop-Process -Id $process.Id -Force
            $process.WaitForExit()
            @(Get-Content $log).Count | Should -BeLessThan 6 -Because 'the run was stopped before its last epoch'
            $info = Get-MapsInfo $killed
            $info.Status | Should -Be 'Incomplete'
            $info.IncompleteSplits | Should -Be @(0)
            ($info | Out-String) | Should -Match 'Incomplete: split\(s\) 0 unfinished; Resume-ClinicaDLTraining completes them'
            $resumed = Resume-ClinicaDLTraining -MapsPath $killed
            (Get-MapsInfo $killed).Status | Should -Be 'Complete'
            $resumed.Status | Should -Be 'Completed'
            Get-LogWithoutTime $killed | Should -Be (Get-LogWithoutTime $uninterrupted)
            foreach ($run in 'train', 'validation') {
                # The same epochs, once each, as an uninterrupted run.
                $scalars = @(Get-TensorBoardScalars (Join-Path $killed "split-0/training_logs/tensorboard/$run"))
                $scalars.Count | Should -Be (5 * 13) -Because 'each of the 5 epochs logs 13 metrics once'
                $scalars | Should -Be @(Get-TensorBoardScalars (Join-Path $uninterrupted "split-0/training_logs/tensorboard/$run"))
            }
            Get-FileHashText (Join-Path $killed 'split-0/best-loss/model.pt') | Should -Be (Get-FileHashText (Join-Path $uninterrupted 'split-0/best-loss/model.pt'))
        }
    }

    Context 'a MAPS trained in mixed precision' {
        BeforeAll {
            $study = Get-TestStudy -ParticipantCount 14 -SessionCount 1 -VoxelSize 3 -Seed 2 -TestSize 4 -KFold 2
            $Caps = $study.Caps
            $KFold = $study.KFold
        }

        It 'resumes a killed -Amp run to the same log and weights as an uninterrupted one' {
            if (-not (Get-ClinicaDLEnvironment).Bfloat16Arithmetic) { Set-ItResult -Skipped -Because 'this CPU has no bfloat16 arithmetic (AVX-512 BF16 or AMX), where -Amp is refused'; return }
            $options = "-Split 0 -Epochs 4 -BatchSize 4 -LearningRate 5e-4 -BootstrapResamples 20 -Amp"
            $uninterrupted = Join-Path $TestDrive 'amp-whole'
            $killed = Join-Path $TestDrive 'amp-killed'
            Invoke-Expression "Start-ClinicaDLTraining -CapsPath '$Caps' -TsvPath '$KFold' -OutputPath '$uninterrupted' $options" | Out-Null
            $log = Join-Path $killed 'split-0/training_logs/training.tsv'
            $process = Start-ClinicaDLProcess -WatchFile $log -Lines 3 -Command "Start-ClinicaDLTraining -CapsPath '$Caps' -TsvPath '$KFold' -OutputPath '$killed' $options"
            Stop-Process -Id $process.Id -Force
            $process.WaitForExit()
            @(Get-Content $log).Count | Should -BeLessThan 5 -Because 'the run was stopped before its last epoch'
            (Resume-ClinicaDLTraining -MapsPath $killed).Status | Should -Be 'Completed'
            Get-LogWithoutTime $killed | Should -Be (Get-LogWithoutTime $uninterrupted)
            Get-FileHashText (Join-Path $killed 'split-0/best-loss/model.pt') | Should -Be (Get-FileHashText (Join-Path $uninterrupted 'split-0/best-loss/model.pt'))
        }
    }

    Context 'a MAPS trained with a learning-rate schedule' {
        BeforeAll {
            $study = Get-TestStudy -ParticipantCount 14 -SessionCount 1 -VoxelSize 3 -Seed 2 -TestSize 4 -KFold 2
            $Caps = $study.Caps
            $KFold = $study.KFold
        }

        It 'resumes a killed run with a warm-up and a cosine schedule to the same rates, log and weights' {
            # The rate after the stop is the schedule's for that epoch, not the schedule restarted from epoch 0.
            $schedule = '-Split 0 -Epochs 5 -BatchSize 4 -LearningRate 5e-4 -BootstrapResamples 200 -LearningRateWarmupEpochs 1 -LearningRateSchedule cosine -LearningRateMin 1e-5'
            $uninterrupted = Join-Path $TestDrive 'cosine-whole'
            $killed = Join-Path $TestDrive 'cosine-killed'
            Invoke-Expression "Start-ClinicaDLTraining -CapsPath '$Caps' -TsvPath '$KFold' -OutputPath '$uninterrupted' $schedule" | Out-Null
            $log = Join-Path $killed 'split-0/training_logs/training.tsv'
            $process = Start-ClinicaDLProcess -WatchFile $log -Lines 3 -Command "Start-ClinicaDLTraining -CapsPath '$Caps' -TsvPath '$KFold' -OutputPath '$killed' $schedule"
            Stop-Process -Id $process.Id -Force
            $process.WaitForExit()
            @(Get-Content $log).Count | Should -BeLessThan 6 -Because 'the run was stopped before its last epoch'
            (Resume-ClinicaDLTraining -MapsPath $killed).Status | Should -Be 'Completed'
            Get-LogWithoutTime $killed | Should -Be (Get-LogWithoutTime $uninterrupted)
            Get-FileHashText (Join-Path $killed 'split-0/best-loss/model.pt') | Should -Be (Get-FileHashText (Join-Path $uninterrupted 'split-0/best-loss/model.pt'))
            $rates = @((Import-Csv $log -Delimiter "`t").learning_rate)
            $rates.Count | Should -Be 5
            $rates[0..1] | Should -Be @('0.00025', '0.0005')
            @($rates | Sort-Object -Unique).Count | Should -Be 5 -Because 'every epoch of a warm-up then a cosine has its own rate'
        }
    }

    Context 'a MAPS of one network per patch' {
        BeforeAll {
            # Start-ClinicaDLTraining.Parts.Tests.ps1's study with its patch extraction, and its multi-network MAPS.
            $study = Get-TestStudy -ParticipantCount 12 -SessionCount 1 -VoxelSize 3 -Seed 21 -TestSize 3 -KFold 2 `
                -Extractions @{ Mode = 'Patch'; PatchSize = 24; StrideSize = 24; ExtractJson = 'patch24'; SaveFeatures = $true }
            $Caps = $study.Caps
            $Common = @{ CapsPath = $Caps; TsvPath = $study.KFold; Split = 0; Epochs = 2; BatchSize = 8; BootstrapResamples = 20; Normalize = $true; LearningRate = 1e-3 }
            $MultiMaps = (Get-TestMaps -Study $study -Training ($Common + @{ ExtractJson = 'patch24'; MultiNetwork = $true })).Path
            function Get-Logs([string] $maps) {
                Get-ChildItem -Recurse (Join-Path $maps 'split-0/training_logs') -Filter training.tsv | Sort-Object FullName | ForEach-Object {
                    Get-Content $_.FullName | ForEach-Object { ($_ -split "`t" | Select-Object -Skip 3) -join "`t" }
                }
            }
            function Get-ModelHashes([string] $maps) {
                Get-ChildItem (Join-Path $maps 'split-0/best-loss') -Filter 'network-*_model.pt' | Sort-Object Name | ForEach-Object { (Get-FileHash $_.FullName).Hash }
            }
        }

        It 'trains again a network stopped between its first best model and its first checkpoint' {
            # The state a run killed at that moment of network 3's first epoch leaves: networks 0-2 ended, network 3
            # with one logged epoch and a best model but no checkpoint, networks 4-7 not started.
            $copy = Join-Path $TestDrive 'maps-multi-early'
            Copy-Item $MultiMaps $copy -Recurse
            New-Item -ItemType Directory (Join-Path $copy 'split-0/tmp') | Out-Null
            0..2 | ForEach-Object { Set-Content (Join-Path $copy "split-0/tmp/network-$($_)_training.ended") 'Completed after 2 epoch(s)' }
            $log = Join-Path $copy 'split-0/training_logs/network-3/training.tsv'
            $firstEpoch = @(Get-Content $log -TotalCount 2)
            Set-Content $log $firstEpoch
            4..7 | ForEach-Object {
                Remove-Item -Recurse (Join-Path $copy "split-0/training_logs/network-$_")
                Remove-Item (Join-Path $copy "split-0/best-loss/network-$($_)_model.pt")
            }
            (Resume-ClinicaDLTraining -MapsPath $copy).Status | Should -Be 'Completed'
            Get-Logs $copy | Should -Be (Get-Logs $MultiMaps)
            Get-ModelHashes $copy | Should -Be (Get-ModelHashes $MultiMaps)
            Join-Path $copy 'split-0/tmp' | Should -Not -Exist
        }

        It 'resumes a killed multi-network run to the same networks' {
            $killed = Join-Path $TestDrive 'maps-multi-killed'
            $log = Join-Path $killed 'split-0/training_logs/network-3/training.tsv'
            $process = Start-ClinicaDLProcess -WatchFile $log -Lines 2 -Command "Start-ClinicaDLTraining -CapsPath '$Caps' -TsvPath '$($Common.TsvPath)' -Split 0 -Epochs 2 -BatchSize 8 -BootstrapResamples 20 -Normalize -LearningRate 1e-3 -ExtractJson patch24 -MultiNetwork -OutputPath '$killed'"
            Stop-Process -Id $process.Id -Force
            $process.WaitForExit()
            Join-Path $killed 'split-0/best-loss/network-7_model.pt' | Should -Not -Exist -Because 'the run was stopped at network 3'
            (Resume-ClinicaDLTraining -MapsPath $killed).Status | Should -Be 'Completed'
            Get-Logs $killed | Should -Be (Get-Logs $MultiMaps)
            Get-ModelHashes $killed | Should -Be (Get-ModelHashes $MultiMaps)
            foreach ($run in 'train', 'validation') {
                Get-TensorBoardScalars (Join-Path $killed "split-0/training_logs/network-3/tensorboard/$run") |
                    Should -Be @(Get-TensorBoardScalars (Join-Path $MultiMaps "split-0/training_logs/network-3/tensorboard/$run"))
            }
        }
    }
}
