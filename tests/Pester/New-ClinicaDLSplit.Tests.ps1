BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Suffix = ',ClinicaDL.PowerShell.Commands.NewClinicaDLSplitCommand'
    $script:SharedBids = if (Get-SharedTestData) { Join-Path (Get-SharedTestData) 'bids' } else { $null }
}

Describe 'New-ClinicaDLSplit' {
    Context 'from labels of a BIDS dataset' {
        BeforeAll {
            $script:Work = Join-Path $TestDrive 'work'
            New-TestBidsDataset -Path (Join-Path $Work 'bids') -Participants 60
            Get-ClinicaDLLabel -BidsPath (Join-Path $Work 'bids') -OutputPath (Join-Path $Work 'labels.tsv') | Out-Null
        }

        It 'makes a test hold-out then a k-fold of the rest, with ClinicaDL''s files' {
            $split = New-ClinicaDLSplit -Path (Join-Path $Work 'labels.tsv') -TestSize 0.2 -Seed 1
            $split.Name | Should -Be 'split'
            $split.SubsetParticipants | Should -Be 12
            $split.TrainSessions | Should -Be 96
            $split.PAge | Should -BeGreaterOrEqual 0.8
            (Get-ChildItem $split.Path -File).Name | Sort-Object | Should -Be (@('split.json', 'test_baseline.tsv', 'train.tsv', 'train_baseline.tsv') | Sort-Object)
            (Get-Content (Join-Path $split.Path 'split.json') -Raw | ConvertFrom-Json).seed | Should -Be 1

            $folds = New-ClinicaDLSplit -Path $split.TrainPath -KFold 2
            $folds.Name | Should -Be @('2_fold/split-0', '2_fold/split-1')
            ($folds | Measure-Object SubsetParticipants -Sum).Sum | Should -Be 48
            (Test-ClinicaDLDataLeakage -Path $Work | Select-Object -Last 1).Passed | Should -BeTrue
        }

        It 'accepts piped label rows with -OutputPath, and needs -OutputPath for them' {
            $rows = Import-Csv (Join-Path $Work 'labels.tsv') -Delimiter "`t"
            $split = $rows | New-ClinicaDLSplit -OutputPath (Join-Path $TestDrive 'piped') -TestSize 10 -Seed 2
            $split.SubsetParticipants | Should -Be 10
            { $rows | New-ClinicaDLSplit -TestSize 10 } | Should -Throw -ErrorId "InvalidInput$Suffix"
        }

        It 'writes nothing with -WhatIf' {
            $parent = Join-Path $TestDrive 'whatif'
            New-Item -ItemType Directory $parent | Out-Null
            New-ClinicaDLSplit -Path (Join-Path $Work 'labels.tsv') -OutputPath $parent -TestSize 0.2 -WhatIf | Should -BeNullOrEmpty
            Get-ChildItem $parent | Should -BeNullOrEmpty
        }

        It 'stops with InvalidSplit, the best p-values and nothing written when the thresholds are out of reach' {
            $parent = Join-Path $TestDrive 'unreachable'
            New-Item -ItemType Directory $parent | Out-Null
            $failure = { New-ClinicaDLSplit -Path (Join-Path $Work 'labels.tsv') -OutputPath $parent -TestSize 0.5 -PAgeThreshold 0.9999 -PSexThreshold 0.9999 -MaxAttempts 20 } |
                Should -Throw -ErrorId "InvalidSplit$Suffix" -PassThru
            $failure.Exception.Message | Should -Match 'best draw reached p\(age\)'
            Get-ChildItem $parent | Should -BeNullOrEmpty
        }

        It 'shows name, kind, sides and p-values in its table' {
            $table = New-ClinicaDLSplit -Path (Join-Path $Work 'labels.tsv') -OutputPath (Join-Path $TestDrive 'table') -TestSize 0.2 | Format-Table | Out-String -Width 200
            $table | Should -Match 'Name\s+Kind\s+Train\s+Subset\s+PAge\s+PSex\s+Seed'
        }
    }

    Context 'the README pipeline on ds114' {
        It 'goes from BIDS to a split in one pipeline' {
            if (-not $SharedBids) { Set-ItResult -Skipped -Because $SharedTestDataAbsent; return }
            $out = Join-Path $TestDrive 'ds114'
            New-Item -ItemType Directory $out | Out-Null
            $split = Import-BidsDataset (Join-Path $SharedBids 'ds114') -ErrorAction SilentlyContinue |
                Get-ClinicaDLLabel -DiagnosisColumn dominant_hand -Diagnoses left, right -OutputPath (Join-Path $out 'labels.tsv') -WarningAction SilentlyContinue |
                New-ClinicaDLSplit -OutputPath $out -TestSize 0.2 -IgnoreDemographics
            $split.SubsetParticipants | Should -Be 2
            $split.TrainParticipants | Should -Be 8
            $split.TrainSessions | Should -Be 16
        }
    }
}
