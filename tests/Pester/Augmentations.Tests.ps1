# ClinicaDL's data augmentations at the cmdlet level: training refuses unknown ones, accepts the others, records them
# and repeats. Their numerics (shape, seeds, values) are tested in xunit: tests/ClinicaDL.Core.Tests/Augmentation/.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    Test-ClinicaDLEnvironment -Steps 2 | Out-Null
    $data = Join-Path $TestDrive 'data'
    New-ClinicaDLSyntheticDataset -OutputPath $data -ParticipantCount 8 -SessionCount 1 -VoxelSize 3 -Seed 9 | Out-Null
    $script:Data = $data
}

Describe 'Data augmentation' {
    BeforeAll {
        $split = New-ClinicaDLSplit -Path (Join-Path $Data 'labels.tsv') -TestSize 2 -IgnoreDemographics
        $folds = New-ClinicaDLSplit -Path $split.TrainPath -KFold 2
        $script:Common = @{ CapsPath = (Join-Path $Data 'caps'); TsvPath = (Split-Path $folds[0].Path); Split = 0; Epochs = 2; BatchSize = 2; BootstrapResamples = 20 }
    }

    It 'refuses an unknown augmentation of a configuration file with InvalidInput naming the known ones, and creates no MAPS' {
        # -DataAugmentation has a ValidateSet; a configuration file reaches the engine's check.
        $config = Join-Path $TestDrive 'unknown-augmentation.json'
        '{ "data_augmentation": ["Noise", "Flip"] }' | Set-Content -Path $config
        $maps = Join-Path $TestDrive 'refused'
        { Start-ClinicaDLTraining @Common -ConfigPath $config -OutputPath $maps -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidInput,ClinicaDL.PowerShell.Commands.StartClinicaDLTrainingCommand' -ExpectedMessage '*Unknown data augmentation(s) Flip; expected any of Noise, Erasing,*'
        $maps | Should -Not -Exist
    }

    It 'trains with augmentations, records them and repeats the run exactly' {
        $common = $Common + @{ DataAugmentation = 'Noise', 'Motion', 'BiasField' }
        $verbose = Start-ClinicaDLTraining @common -OutputPath (Join-Path $TestDrive 'a') -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        # The image cache's size is stated before it is filled: 6 train and validation images of 57x70x60 float32, 0.96 MB each.
        ($verbose.Message -match 'Decoding 6 images into memory: about 6 MB as float32') | Should -Not -BeNullOrEmpty
        Start-ClinicaDLTraining @common -OutputPath (Join-Path $TestDrive 'b') | Out-Null
        (Get-Content (Join-Path $TestDrive 'a/maps.json') -Raw | ConvertFrom-Json).data_augmentation | Should -Be @('Noise', 'Motion', 'BiasField')
        $a = Get-Content (Join-Path $TestDrive 'a/split-0/training_logs/training.tsv') | ForEach-Object { ($_ -split "`t" | Select-Object -Skip 3) -join "`t" }
        $b = Get-Content (Join-Path $TestDrive 'b/split-0/training_logs/training.tsv') | ForEach-Object { ($_ -split "`t" | Select-Object -Skip 3) -join "`t" }
        $b | Should -Be $a
        # One torch thread on a machine with more cores: batches are prepared on a background thread, as exactly.
        if ([Environment]::ProcessorCount -gt 1) {
            Start-ClinicaDLTraining @common -Threads 1 -OutputPath (Join-Path $TestDrive 'c') | Out-Null
            Start-ClinicaDLTraining @common -Threads 1 -OutputPath (Join-Path $TestDrive 'd') | Out-Null
            $c = Get-Content (Join-Path $TestDrive 'c/split-0/training_logs/training.tsv') | ForEach-Object { ($_ -split "`t" | Select-Object -Skip 3) -join "`t" }
            $d = Get-Content (Join-Path $TestDrive 'd/split-0/training_logs/training.tsv') | ForEach-Object { ($_ -split "`t" | Select-Object -Skip 3) -join "`t" }
            $d | Should -Be $c
        }
    }
}
