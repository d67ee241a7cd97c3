# The compositions a user writes first, end to end on a small synthetic study (12 participants at 3 mm, one
# epoch). One MAPS is trained for the whole file, from the objects each step emits: what is piped is the subject, so
# the study is made here rather than taken from TestHelpers' cache. (The filters that name something a MAPS does not
# have are in the files of their cmdlets, on the cached copy of this study and MAPS.)
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
}
