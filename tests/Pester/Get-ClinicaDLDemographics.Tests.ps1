BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
}

Describe 'Get-ClinicaDLDemographics' {
    Context 'a labels file' {
        It 'gives one row per diagnosis with ClinicaDL''s columns in the written table' {
            $labels = Join-Path $TestDrive 'labels.tsv'
            Set-Content $labels ("participant_id`tsession_id`tage`tsex`tdiagnosis", "sub-01`tses-M000`t70`tF`tAD", "sub-02`tses-M000`t80`tM`tAD", "sub-03`tses-M000`t65`tF`tCN")
            $rows = Get-ClinicaDLDemographics -Path $labels -OutputPath (Join-Path $TestDrive 'analysis.tsv')
            $rows.Group | Should -Be @('AD', 'CN')
            $rows[0].MeanAge | Should -Be 75
            $rows[0].StdAge | Should -Be 5
            $rows[0].SexF | Should -Be 1
            (Get-Content (Join-Path $TestDrive 'analysis.tsv') -TotalCount 1) -split "`t" | Select-Object -First 3 | Should -Be @('group', 'n_subjects', 'mean_age')
        }
    }
}
