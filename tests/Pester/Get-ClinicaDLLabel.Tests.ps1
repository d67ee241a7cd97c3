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
            (Get-ClinicaDLLabel -BidsPath $Bids -Modality T1w).Count | Should -Be 60
        }

        It 'refuses a modality no image has, listing those present' {
            { Get-ClinicaDLLabel -BidsPath $Bids -Modality FLAIR } |
                Should -Throw -ErrorId "DatasetItemNotFound$Suffix" -ExpectedMessage "*has no modality 'FLAIR' (it has: T1w (60 sessions))*"
        }

        It 'refuses a diagnosis no session has, listing those present, and writes nothing' {
            $output = Join-Path $TestDrive 'typo/labels.tsv'
            { Get-ClinicaDLLabel -BidsPath $Bids -Diagnosis AD, XY -OutputPath $output } |
                Should -Throw -ErrorId "DatasetItemNotFound$Suffix" -ExpectedMessage "*has no diagnosis 'XY' (it has: AD (20 sessions), CN (40 sessions))*"
            $output | Should -Not -Exist
        }

        It 'refuses filters that leave no session with the counts of each step, and writes nothing' {
            $output = Join-Path $TestDrive 'empty/labels.tsv'
            $restriction = Join-Path $TestDrive 'restriction.tsv'
            Set-Content $restriction "participant_id`tsession_id`nsub-003`tses-M000`nsub-006`tses-M012"
            $failure = { Get-ClinicaDLLabel -BidsPath $Bids -Diagnosis CN -RemoveUniqueSession -RestrictionPath $restriction -Modality T1w -OutputPath $output } |
                Should -Throw -ErrorId "NothingSelected$Suffix" -PassThru
            $failure.Exception.Message | Should -BeLike '*60 of 60 sessions dropped (20: diagnosis not in CN; 40: not in *restriction.tsv), 0 left*'
            $output | Should -Not -Exist
        }

        It 'warns with the counts when a filter drops more than a tenth of the sessions' {
            $rows = Get-ClinicaDLLabel -BidsPath $Bids -Diagnosis CN -WarningVariable warnings -WarningAction SilentlyContinue
            $rows.Count | Should -Be 40
            $warnings.Message | Should -BeLike "*20 of 60 sessions dropped (20: diagnosis not in CN), 40 left*"
        }

        It 'refuses a CAPS folder with NotBidsDataset, saying it looks like a CAPS' {
            $caps = Join-Path $TestDrive 'caps'
            New-Item -ItemType Directory -Force (Join-Path $caps 'subjects/sub-001/ses-M000') | Out-Null
            Set-Content (Join-Path $caps 'dataset_description.json') '{"Name": "caps", "DatasetType": "derivative"}'
            { Get-ClinicaDLLabel -BidsPath $caps } | Should -Throw -ErrorId "NotBidsDataset$Suffix" -ExpectedMessage '*is not a BIDS dataset: it has no sub-* folder. It looks like a CAPS folder*Import-CapsDataset*'
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
