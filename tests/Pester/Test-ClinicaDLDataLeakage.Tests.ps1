BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Suffix = ',ClinicaDL.PowerShell.Commands.TestClinicaDLDataLeakageCommand'
}

Describe 'Test-ClinicaDLDataLeakage' {
    Context 'a split tree' {
        BeforeAll {
            $script:Work = Join-Path $TestDrive 'work'
            New-TestBidsDataset -Path (Join-Path $Work 'bids') -Participants 30
            Get-ClinicaDLLabel -BidsPath (Join-Path $Work 'bids') -OutputPath (Join-Path $Work 'labels.tsv') | Out-Null
            $script:Split = New-ClinicaDLSplit -Path (Join-Path $Work 'labels.tsv') -TestSize 6 -IgnoreDemographics
            $script:Folds = New-ClinicaDLSplit -Path $Split.TrainPath -KFold 3
        }

        It 'passes a tree made by New-ClinicaDLSplit' {
            $result = Test-ClinicaDLDataLeakage -Path $Work
            $audit = $result | Select-Object -Last 1
            $audit.Passed | Should -BeTrue
            $audit.SplitFoldersChecked | Should -Be 2
        }

        It 'finds a test participant copied into training, and -Strict reports it as DataLeakage' {
            $test = Get-Content $Split.SubsetPath
            Add-Content $Folds[0].TrainPath $test[1]
            $findings = Test-ClinicaDLDataLeakage -Path $Work | Where-Object { $_ -is [ClinicaDL.Core.Splits.LeakageFinding] }
            $findings.Kind | Should -Contain 'TestParticipantInTraining'
            ($findings | Where-Object Kind -eq 'TestParticipantInTraining').Participants | Should -Contain ($test[1] -split "`t")[0]
            Test-ClinicaDLDataLeakage -Path $Work -Strict -ErrorVariable leaks -ErrorAction SilentlyContinue | Out-Null
            $leaks.FullyQualifiedErrorId | Should -Contain "DataLeakage$Suffix"
        }
    }

    Context 'audits that examine nothing' {
        BeforeAll {
            $work = Join-Path $TestDrive 'again'
            New-TestBidsDataset -Path (Join-Path $work 'bids') -Participants 30
            Get-ClinicaDLLabel -BidsPath (Join-Path $work 'bids') -OutputPath (Join-Path $work 'labels.tsv') | Out-Null
            $script:CleanSplit = New-ClinicaDLSplit -Path (Join-Path $work 'labels.tsv') -TestSize 6 -IgnoreDemographics
            $script:CleanFolds = New-ClinicaDLSplit -Path $CleanSplit.TrainPath -KFold 3
        }

        It 'fails on a folder without any split, saying what it expected' {
            $empty = Join-Path $TestDrive 'empty'
            New-Item -ItemType Directory $empty | Out-Null
            $result = Test-ClinicaDLDataLeakage -Path $empty -ErrorVariable failed -ErrorAction SilentlyContinue
            $audit = $result | Where-Object { $_ -is [ClinicaDL.Core.Splits.LeakageAudit] }
            $audit.Passed | Should -BeFalse
            $audit.SplitFoldersChecked | Should -Be 0
            ($result | Where-Object { $_ -is [ClinicaDL.Core.Splits.LeakageFinding] }).Kind | Should -Be 'NothingExamined'
            $failed[0].FullyQualifiedErrorId | Should -Be "LeakageAuditFailed$Suffix"
            $failed[0].Exception.Message | Should -Match 'split.json or kfold.json'
        }

        It 'audits the k-fold folder piped folds point to, once' {
            $audits = $CleanFolds | Test-ClinicaDLDataLeakage | Where-Object { $_ -is [ClinicaDL.Core.Splits.LeakageAudit] }
            @($audits).Count | Should -Be 1
            $audits.Path | Should -Be (Split-Path $CleanFolds[0].Path)
            $audits.SplitFoldersChecked | Should -Be 1
            $audits.FilesChecked | Should -BeGreaterOrEqual 6
            $audits.Passed | Should -BeTrue
            Add-Content $CleanFolds[0].TrainPath (Get-Content $CleanSplit.SubsetPath)[1]
            ($CleanFolds | Test-ClinicaDLDataLeakage | Where-Object { $_ -is [ClinicaDL.Core.Splits.LeakageAudit] }).Findings.Kind | Should -Contain 'TestParticipantInTraining'
        }

        It 'fails a split file that holds only a header' {
            $tree = Join-Path $TestDrive 'header-only'
            Copy-Item -Recurse $CleanSplit.Path $tree
            Set-Content (Join-Path $tree 'train.tsv') (Get-Content (Join-Path $tree 'train.tsv') -TotalCount 1)
            $result = Test-ClinicaDLDataLeakage -Path $tree
            ($result | Where-Object { $_ -is [ClinicaDL.Core.Splits.LeakageAudit] }).Passed | Should -BeFalse
            ($result | Where-Object { $_ -is [ClinicaDL.Core.Splits.LeakageFinding] }).Kind | Should -Contain 'EmptySplitFile'
        }
    }

    Context 'a MAPS and new data' {
        It 'flags participants seen in training' {
            $maps = Join-Path $TestDrive 'maps'
            New-Item -ItemType Directory -Force (Join-Path $maps 'groups') | Out-Null
            Set-Content (Join-Path $maps 'groups/train+validation.tsv') "participant_id`tsession_id`nsub-001`tses-M000`nsub-002`tses-M000"
            $data = Join-Path $TestDrive 'test.tsv'
            Set-Content $data "participant_id`tsession_id`tdiagnosis`nsub-002`tses-M012`tAD`nsub-003`tses-M000`tCN"
            $finding = Test-ClinicaDLDataLeakage -MapsPath $maps -DataPath $data | Where-Object { $_ -is [ClinicaDL.Core.Splits.LeakageFinding] }
            $finding.Kind | Should -Be 'SeenInTraining'
            $finding.Participants | Should -Be 'sub-002'
        }
    }
}
