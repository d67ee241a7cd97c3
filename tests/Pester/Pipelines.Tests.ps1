# The compositions a user writes first, end to end on a small synthetic study (12 participants at 3 mm, one
# epoch), and the filters that name something a MAPS does not have. One MAPS is trained for the whole file.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Data = Join-Path $TestDrive 'data'
    $script:Sessions = New-ClinicaDLSyntheticDataset -OutputPath $Data -ParticipantCount 12 -SessionCount 1 -VoxelSize 3 -Seed 3
    $script:Caps = Join-Path $Data 'caps'
    $script:Split = New-ClinicaDLSplit -Path (Join-Path $Data 'labels.tsv') -TestSize 4 -IgnoreDemographics -Seed 1
    $script:Folds = $Split | New-ClinicaDLSplit -KFold 2 -Seed 1
    $script:Maps = Join-Path $TestDrive 'maps'
    $script:Training = @{ CapsPath = $Caps; MapsPath = $Maps; Epochs = 1; BatchSize = 4; BootstrapResamples = 20; SelectionMetric = 'loss', 'BA' }
    # Trained and predicted here, not in a Context: TestDrive files made inside a Context are gone when it ends.
    $script:Results = $Folds | Start-ClinicaDLTraining @Training
    $script:Rows = $Results | Invoke-ClinicaDLPrediction -DataGroup test -CapsPath $Caps -TsvPath $Split.SubsetPath -ErrorVariable script:PredictionProblems
    function Get-Suffix([string] $cmdlet) { ",ClinicaDL.PowerShell.Commands.$($cmdlet -replace '-', '')Command" }
}

Describe 'Pipelines' {
    Context 'from data to a split' {
        It 'labels a generated dataset once when its sessions are piped to Get-ClinicaDLLabel' {
            $rows = $Sessions | Get-ClinicaDLLabel -ErrorVariable problems
            $problems | Should -BeNullOrEmpty
            $rows.Count | Should -Be 12
            $expected = Import-Csv (Join-Path $Data 'labels.tsv') -Delimiter "`t"
            ($rows | ForEach-Object { "$($_.participant_id) $($_.session_id) $($_.diagnosis)" }) |
                Should -Be ($expected | ForEach-Object { "$($_.participant_id) $($_.session_id) $($_.diagnosis)" })
        }

        It 'folds the training participants of a split piped to New-ClinicaDLSplit -KFold, beside its train.tsv' {
            $Folds.Count | Should -Be 2
            $Folds.Path | Should -Be @((Join-Path $Split.Path '2_fold/split-0'), (Join-Path $Split.Path '2_fold/split-1'))
            ($Folds.SubsetParticipants | Measure-Object -Sum).Sum | Should -Be $Split.TrainParticipants
        }

        It 'splits a labels file given as a file item, and a split folder given by -LiteralPath' {
            $fromItem = Get-Item (Join-Path $Data 'labels.tsv') | New-ClinicaDLSplit -KFold 3 -OutputPath (Join-Path $TestDrive 'item')
            $fromItem.Count | Should -Be 3
            $fromFolder = New-ClinicaDLSplit -LiteralPath $Split.Path -KFold 2 -OutputPath (Join-Path $TestDrive 'folder') -Seed 1
            ($fromFolder.TrainParticipants | Measure-Object -Sum).Sum | Should -Be $Split.TrainParticipants
        }

        It 'extracts each CAPS once from the generated sessions piped to Export-ClinicaDLTensor' {
            $extracted = $Sessions | Export-ClinicaDLTensor -Mode Image -ErrorVariable problems
            $problems | Should -BeNullOrEmpty
            $extracted.Count | Should -Be 12
            ($extracted.ParticipantId | Select-Object -Unique).Count | Should -Be 12
        }
    }

    Context 'from a split to a report' {
        It 'trains the piped folds of one k-fold folder into one MAPS' {
            $Results.Split | Should -Be @(0, 1)
            $Results.Status | Should -Be @('Completed', 'Completed')
            $json = Get-Content (Join-Path $Maps 'maps.json') -Raw | ConvertFrom-Json
            $json.tsv_path | Should -Be (Join-Path $Split.Path '2_fold')
            $json.split | Should -Be @(0, 1)
        }

        It 'refuses piped folds together with -Split, before training' {
            { $Folds | Start-ClinicaDLTraining @Training -MapsPath (Join-Path $TestDrive 'both') -Split 1 } |
                Should -Throw -ErrorId "InvalidInput$(Get-Suffix Start-ClinicaDLTraining)" -ExpectedMessage '*Folds 0, 1 came through the pipeline and -Split names others*'
            Join-Path $TestDrive 'both' | Should -Not -Exist
        }

        It 'predicts the MAPS once from the results of all its splits' {
            $PredictionProblems | Should -BeNullOrEmpty
            # 4 test sessions x 2 splits x 2 selection metrics, each once.
            $Rows.Count | Should -Be 16
            ($Rows | Group-Object Split, SelectionMetric, ParticipantId | Where-Object Count -gt 1) | Should -BeNullOrEmpty
        }

        It 'reads each MAPS once in Get-MapsResult, Get-MapsInfo and Get-MapsTrainingLog from piped rows' {
            @($Rows | Get-MapsResult -DataGroup test).Count | Should -Be 4
            @($Results | Get-MapsInfo).Count | Should -Be 1
            @($Results | Get-MapsTrainingLog).Count | Should -Be 2
        }

        It 'audits the MAPS once from piped training results' {
            $audit = $Results | Test-ClinicaDLDataLeakage -TsvPath $Split.SubsetPath | Where-Object { $_ -is [ClinicaDL.Core.Splits.LeakageAudit] }
            @($audit).Count | Should -Be 1
            $audit.Passed | Should -BeTrue
        }

        It 'writes one report per MAPS from piped prediction rows, and one per folder item of Get-ChildItem' {
            @($Rows | Export-MapsReport).Count | Should -Be 1
            Copy-Item -Recurse $Maps (Join-Path $TestDrive 'maps-copy')
            $reports = Get-ChildItem $TestDrive -Directory -Filter 'maps*' | Export-MapsReport
            $reports.MapsPath | Should -Be @($Maps, (Join-Path $TestDrive 'maps-copy'))
            $reports.ReportPath | ForEach-Object { $_ | Should -Exist }
        }
    }

    Context 'filters that name nothing, and steps that drop much' {
        It 'Get-MapsResult reports each missing <What> with MapsItemNotFound, listing what exists, and writes what matched' -ForEach @(
            @{ What = 'data group'; Arguments = @{ DataGroup = 'test', 'nope' }; Message = "*has no data group 'nope' (it has: test, train, validation)." }
            @{ What = 'split'; Arguments = @{ DataGroup = 'test'; Split = 0, 7 }; Message = "The MAPS '*' has no split 7 (it has: 0, 1)." }
            @{ What = 'selection metric'; Arguments = @{ DataGroup = 'test'; SelectionMetric = 'loss', 'AUC' }; Message = "*has no selection metric 'AUC' (it has: BA, loss)." }
        ) {
            $found = Get-MapsResult -MapsPath $Maps @Arguments -ErrorVariable problems -ErrorAction SilentlyContinue
            $found | Should -Not -BeNullOrEmpty
            $found.DataGroup | Select-Object -Unique | Should -Be 'test'
            $problems.Count | Should -Be 1
            $problems[0].FullyQualifiedErrorId | Should -Be "MapsItemNotFound$(Get-Suffix Get-MapsResult)"
            $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $problems[0].Exception.Message | Should -BeLike $Message
        }

        It 'Get-MapsResult names a group that has no results for the split asked' {
            Invoke-ClinicaDLPrediction -MapsPath $Maps -DataGroup held -CapsPath $Caps -TsvPath $Split.SubsetPath -Split 0 | Out-Null
            Get-MapsResult $Maps -DataGroup held -Split 1 -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $problems[0].Exception.Message | Should -BeLike "Split 1 of the MAPS '*' has no data group 'held' (it has: test, train, validation). The group is defined but has no results there*"
        }

        It 'Get-MapsTrainingLog reports a missing split and reads the others' {
            $rows = Get-MapsTrainingLog $Maps -Split 1, 5 -ErrorVariable problems -ErrorAction SilentlyContinue
            $rows.Split | Should -Be 1
            $problems[0].FullyQualifiedErrorId | Should -Be "MapsItemNotFound$(Get-Suffix Get-MapsTrainingLog)"
            $problems[0].Exception.Message | Should -BeLike '*has no split 5 (it has: 0, 1).'
        }

        It 'Invoke-ClinicaDLPrediction warns with the counts when it leaves out most sessions of a group, and refuses a group it leaves empty' {
            $rows = Import-Csv $Split.SubsetPath -Delimiter "`t"
            $mostly = Join-Path $TestDrive 'mostly-mci.tsv'
            $rows | ForEach-Object -Begin { $i = 0 } -Process { if ($i++ -gt 0) { $_.diagnosis = 'MCI' }; $_ } | Export-Csv $mostly -Delimiter "`t" -UseQuotes Never
            $predicted = Invoke-ClinicaDLPrediction -MapsPath $Maps -DataGroup mostly -CapsPath $Caps -TsvPath $mostly -Split 0 -SelectionMetric loss -WarningVariable warnings -WarningAction SilentlyContinue
            $predicted.Count | Should -Be 1
            $warnings.Message | Should -BeLike "Data group 'mostly' of '*': 3 of 4 sessions dropped (3: diagnosis not in AD, CN), 1 left."
            $all = Join-Path $TestDrive 'all-mci.tsv'
            $rows | ForEach-Object { $_.diagnosis = 'MCI'; $_ } | Export-Csv $all -Delimiter "`t" -UseQuotes Never
            { Invoke-ClinicaDLPrediction -MapsPath $Maps -DataGroup allmci -CapsPath $Caps -TsvPath $all -ErrorAction Stop } |
                Should -Throw -ErrorId "InvalidTable$(Get-Suffix Invoke-ClinicaDLPrediction)" -ExpectedMessage '*has no session to use: 4 of 4 sessions dropped (4: diagnosis not in AD, CN), 0 left; its diagnoses are MCI (4 sessions).'
        }

        It 'Start-ClinicaDLTraining refuses <What>, listing what exists, before creating the MAPS' -ForEach @(
            @{ What = 'a split the folder lacks'; Arguments = @{ Split = 0, 7 }; ErrorId = 'MapsItemNotFound'; Message = "The split folder '*2_fold' has no split 7 (it has: 0, 1)." }
            @{ What = 'a preprocessing the CAPS lacks'; Arguments = @{ Preprocessing = 'flair-linear' }; ErrorId = 'DatasetItemNotFound'; Message = "The CAPS '*' has no flair-linear image (*_flair.nii.gz in flair_linear/) (it has: t1_linear/*_T1w.nii.gz (12 sessions))." }
        ) {
            $maps = Join-Path $TestDrive 'refused'
            { Start-ClinicaDLTraining -CapsPath $Caps -TsvPath (Join-Path $Split.Path '2_fold') -MapsPath $maps -Epochs 1 @Arguments } |
                Should -Throw -ErrorId "$ErrorId$(Get-Suffix Start-ClinicaDLTraining)" -ExpectedMessage $Message
            $maps | Should -Not -Exist
        }

        It 'Invoke-ClinicaDLPrediction refuses <What> before writing anything' -ForEach @(
            @{ What = 'an untrained selection metric'; Arguments = @{ DataGroup = 'fresh'; CapsPath = 'CAPS'; TsvPath = 'TSV'; SelectionMetric = 'AUC' }; Message = "*has no selection metric 'AUC' (it has: loss, BA)." }
            @{ What = 'a split the MAPS lacks'; Arguments = @{ DataGroup = 'fresh'; CapsPath = 'CAPS'; TsvPath = 'TSV'; Split = 7 }; Message = '*has no split 7 (it has: 0, 1).' }
            @{ What = 'an undefined data group without data'; Arguments = @{ DataGroup = 'fresh' }; Message = "*has no data group 'fresh' (it has: *test, train, validation). Give -CapsPath and -TsvPath to define it." }
        ) {
            $arguments = $Arguments.Clone()
            if ($arguments.CapsPath) { $arguments.CapsPath = $Caps; $arguments.TsvPath = $Split.SubsetPath }
            { Invoke-ClinicaDLPrediction -MapsPath $Maps @arguments -ErrorAction Stop } |
                Should -Throw -ErrorId "MapsItemNotFound$(Get-Suffix Invoke-ClinicaDLPrediction)" -ExpectedMessage $Message
            Join-Path $Maps 'groups/fresh' | Should -Not -Exist
        }
    }
}
