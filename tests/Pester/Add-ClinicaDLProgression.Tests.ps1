BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
}

Describe 'Add-ClinicaDLProgression' {
    Context 'a longitudinal labels file' {
        BeforeAll {
            $script:Labels = Join-Path $TestDrive 'labels.tsv'
            Set-Content $Labels ("participant_id`tsession_id`tdiagnosis", "sub-01`tses-M000`tCN", "sub-01`tses-M036`tMCI", "sub-01`tses-M048`tMCI", "sub-02`tses-M000`tAD", "sub-02`tses-M024`tAD")
        }

        It 'adds the progression column and rewrites the file' {
            $rows = Add-ClinicaDLProgression -Path $Labels
            $rows.progression | Should -Be @('p', 's', 'uk', 's', 'uk')
            (Get-Content $Labels -TotalCount 1) | Should -Be "participant_id`tsession_id`tdiagnosis`tprogression"
        }

        It 'writes elsewhere with -OutputPath and not at all with -WhatIf' {
            $other = Join-Path $TestDrive 'other.tsv'
            Add-ClinicaDLProgression -Path $Labels -OutputPath $other -TimeHorizon 12 -WhatIf | Out-Null
            Test-Path $other | Should -BeFalse
        }
    }
}
