# The per-epoch rows of each split's training.tsv as objects, on MAPS from TestHelpers' cache (read, never written).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    function Get-Suffix([string] $cmdlet) { ",ClinicaDL.PowerShell.Commands.$($cmdlet -replace '-', '')Command" }
    # The study and MAPS the help examples run on: splits 0 and 1, trained one epoch each.
    $study = Get-TestStudy -ParticipantCount 12 -SessionCount 1 -VoxelSize 3 -Seed 4 -TestSize 4 -KFold 2
    $script:Maps = (Get-TestMaps -Study $study -Training @{ Epochs = 1; BatchSize = 4; BootstrapResamples = 100; SelectionMetrics = 'loss', 'BA' } -Prediction @{ DataGroup = 'test' }).Path
    # Start-ClinicaDLTraining.Tests.ps1's study and its MAPS of split 0, trained two epochs.
    $training = Get-TestStudy -ParticipantCount 14 -SessionCount 1 -VoxelSize 3 -Seed 2 -TestSize 4 -KFold 2
    $script:TwoEpochs = (Get-TestMaps -Study $training -Training @{ Split = 0; Epochs = 2; BatchSize = 4; LearningRate = 5e-4; BootstrapResamples = 200 }).Path
}

Describe 'Get-MapsTrainingLog' {
    It 'emits the row of each split''s training.tsv, as numbers, with the split and no network' {
        $rows = Get-MapsTrainingLog $Maps
        $rows.Split | Should -Be @(0, 1)
        $rows[0].PSObject.TypeNames[0] | Should -Be 'ClinicaDL.TrainingLogRow'
        foreach ($row in $rows) {
            $file = @(Import-Csv (Join-Path $Maps "split-$($row.Split)/training_logs/training.tsv") -Delimiter "`t")
            $file.Count | Should -Be 1
            $row.PSObject.Properties.Name | Should -Be (@($file[0].PSObject.Properties.Name) + @('Split', 'Network'))
            $row.loss_valid | Should -BeOfType [double]
            $row.loss_valid | Should -Be ([double] $file[0].loss_valid)
            $row.Network | Should -BeNullOrEmpty
        }
    }

    It 'emits one row per epoch, in order' {
        $rows = Get-MapsTrainingLog $TwoEpochs
        $rows.epoch | Should -Be @(0, 1)
        $rows.Split | Should -Be @(0, 0)
    }

    It 'Get-MapsTrainingLog reports a missing split and reads the others' {
        $rows = Get-MapsTrainingLog $Maps -Split 1, 5 -ErrorVariable problems -ErrorAction SilentlyContinue
        $rows.Split | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be "MapsItemNotFound$(Get-Suffix Get-MapsTrainingLog)"
        $problems[0].Exception.Message | Should -BeLike '*has no split 5 (it has: 0, 1).'
    }

    It 'reports a folder that is not a MAPS with MapsNotFound' {
        Get-MapsTrainingLog $TestDrive -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be "MapsNotFound$(Get-Suffix Get-MapsTrainingLog)"
        $problems[0].Exception.Message | Should -Be "'$TestDrive' is not a MAPS: it has no maps.json."
    }

    Context 'a MAPS written by ClinicaDL 1.6.1' {
        BeforeAll {
            $script:ClinicaMaps = if (Get-SharedTestData) { Join-Path $TestDrive 'clinicadl-maps' } else { $null }
            if ($ClinicaMaps) { Copy-Item -Recurse (Join-Path (Get-SharedTestData) 'clinicadl-maps/maps') $ClinicaMaps }
        }

        It 'says why its empty training.tsv gives nothing: the file, and ClinicaDL 1.6''s bug with evaluation_steps = 0' {
            if (-not $ClinicaMaps) { Set-ItResult -Skipped -Because $SharedTestDataAbsent; return }
            $rows = @(Get-MapsTrainingLog $ClinicaMaps -WarningVariable warnings -WarningAction SilentlyContinue)
            $rows.Count | Should -Be 0
            $warnings.Count | Should -Be 1
            $log = Join-Path $ClinicaMaps 'split-0/training_logs/training.tsv'
            "$($warnings[0])" | Should -BeLike "'$log' has a header and no epoch row: *evaluation_steps = 0*known bug*"
        }

        It 'says why a log of this module without rows gives nothing: no epoch finished' {
            $copy = Join-Path $TestDrive 'interrupted'
            Copy-Item -Recurse $Maps $copy
            $log = Join-Path $copy 'split-0/training_logs/training.tsv'
            Set-Content -LiteralPath $log -Value (Get-Content -LiteralPath $log -TotalCount 1)
            $rows = @(Get-MapsTrainingLog $copy -Split 0 -WarningVariable warnings -WarningAction SilentlyContinue)
            $rows.Count | Should -Be 0
            "$($warnings[0])" | Should -BeLike "'$log' has a header and no epoch row: no epoch of this split finished*"
        }
    }
}
