BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Suffix = ',ClinicaDL.PowerShell.Commands.GetClinicaDLLabelCommand'
}

Describe 'Get-ClinicaDLLabel' {
    Context 'a BIDS dataset with diagnoses in sessions.tsv' {
        BeforeAll {
            $script:Bids = Join-Path $TestDrive 'bids'
            New-TestBidsDataset -Path $Bids -Participants 30
        }

        It 'writes labels.tsv and labels.json and emits one row per session' {
            $output = Join-Path $TestDrive 'labels.tsv'
            $rows = Get-ClinicaDLLabel -BidsPath $Bids -OutputPath $output
            $rows.Count | Should -Be 60
            (Get-Content $output -TotalCount 1) | Should -Be "participant_id`tsession_id`tage`tsex`tdiagnosis"
            (Get-Content $output).Count | Should -Be 61
            (Get-Content (Join-Path $TestDrive 'labels.json') -Raw | ConvertFrom-Json).diagnoses | Should -Be @('AD', 'CN')
            $rows[0].participant_id | Should -Be 'sub-001'
            $rows[0].age | Should -BeOfType [double]
            ($rows | Select-Object -First 2 | Format-Table | Out-String -Width 200) | Should -Match 'participant_id\s+session_id\s+diagnosis\s+age\s+sex'
        }

        It 'takes BIDS sessions from the pipeline and keeps the requested diagnoses' {
            $rows = Import-BidsDataset $Bids | Get-ClinicaDLLabel -Diagnoses AD
            $rows.Count | Should -Be 20
            $rows.diagnosis | Select-Object -Unique | Should -Be 'AD'
        }

        It 'keeps sessions with the requested modality' {
            (Get-ClinicaDLLabel -BidsPath $Bids -Modality FLAIR) | Should -BeNullOrEmpty
            (Get-ClinicaDLLabel -BidsPath $Bids -Modality T1w).Count | Should -Be 60
        }

        It 'writes nothing with -WhatIf' {
            $output = Join-Path $TestDrive 'whatif/labels.tsv'
            Get-ClinicaDLLabel -BidsPath $Bids -OutputPath $output -WhatIf | Out-Null
            Test-Path $output | Should -BeFalse
        }
    }

    Context 'inputs it cannot use' {
        It 'refuses a dataset without sessions unless -DefaultSession names one' {
            $flat = Join-Path $TestDrive 'flat'
            New-Item -ItemType Directory -Force (Join-Path $flat 'sub-01/anat') | Out-Null
            Set-Content (Join-Path $flat 'participants.tsv') "participant_id`tdiagnosis`nsub-01`tCN"
            { Get-ClinicaDLLabel -BidsPath $flat } | Should -Throw -ErrorId "InvalidTable$Suffix"
            (Get-ClinicaDLLabel -BidsPath $flat -DefaultSession ses-M000 -Diagnoses CN).session_id | Should -Be 'ses-M000'
        }

        It 'names the file and the missing column of a merged TSV' {
            $merged = Join-Path $TestDrive 'merged.tsv'
            Set-Content $merged "participant_id`tage`nsub-01`t70"
            $failure = { Get-ClinicaDLLabel -MergedTsv $merged } | Should -Throw -ErrorId "InvalidTable$Suffix" -PassThru
            $failure.Exception.Message | Should -Match "merged.tsv.*session_id"
        }
    }
}
