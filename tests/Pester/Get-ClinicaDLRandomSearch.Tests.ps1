# Ranking the trials of a search: by the first selection metric by default (the loss, lowest first), by BA highest
# first, with the trials not trained last and unranked. One 3-trial search of one epoch per trial.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $Suffix = ',ClinicaDL.PowerShell.Commands.GetClinicaDLRandomSearchCommand'

    $study = Get-TestStudy -ParticipantCount 12 -SessionCount 1 -VoxelSize 3 -Seed 4 -TestSize 4 -KFold 2 -Extractions @{ Mode = 'Image'; ExtractJson = 'search_image' }
    $toml = Join-Path $TestDrive 'random_search.toml'
    Set-Content -LiteralPath $toml @"
[Random_Search]
network_task = "classification"
caps_directory = '$($study.Caps)'
tsv_path = '$($study.KFold)'
preprocessing_json = "search_image.json"
n_convblocks = [1, 2]
first_conv_width = [4, 8]
n_fcblocks = 1
[Classification]
selection_metrics = ["loss", "BA"]
[Computational]
batch_size = 4
[Cross_validation]
split = [0]
[Optimization]
epochs = 1
learning_rate = [1, 4]
"@
    $script:Search = Join-Path $TestDrive 'search'
    $script:Trials = @(Start-ClinicaDLRandomSearch $toml $Search -Trials 3 -Seed 3)
}

Describe 'Get-ClinicaDLRandomSearch' {
    It 'ranks by the first selection metric, the loss, lowest first' {
        $ranked = @(Get-ClinicaDLRandomSearch $Search)
        $ranked.Count | Should -Be 3
        $ranked.Place | Should -Be @(1, 2, 3) -Because 'the property is not named Rank, which an array has (its dimensions) and would hide'
        $ranked.Metric | Should -Be @('loss', 'loss', 'loss')
        $losses = $Trials | Sort-Object ValidationLoss
        $ranked.Name | Should -Be @($losses.Name)
        $ranked[0].Value | Should -Be $losses[0].ValidationLoss
        $ranked[0].Value | Should -BeLessOrEqual $ranked[2].Value
        $ranked.Status | Should -Be @('Completed', 'Completed', 'Completed')
        $ranked[0].SampledValues.ToString() | Should -Be ($Trials | Where-Object Name -eq $ranked[0].Name).SampledValues.ToString()
    }

    It 'ranks by BA, highest first, from the models kept for BA' {
        $ranked = @(Get-ClinicaDLRandomSearch -Path $Search -Metric BA)
        $ranked.Metric | Should -Be @('BA', 'BA', 'BA')
        for ($i = 1; $i -lt 3; $i++) { $ranked[$i - 1].Value | Should -BeGreaterOrEqual $ranked[$i].Value }
        foreach ($row in $ranked) {
            $table = Import-Csv (Join-Path $row.MapsPath 'split-0/best-BA/validation/validation_image_level_metrics.tsv') -Delimiter "`t"
            $row.Value | Should -Be ([double]$table[0].BA)
        }
    }

    It 'puts a trial not trained last, unranked, and takes search folders from the pipeline' {
        $copy = Join-Path $TestDrive 'partial'
        Copy-Item $Search $copy -Recurse
        Remove-Item (Join-Path $copy 'trial-1') -Recurse
        $ranked = @(Get-Item $copy | Get-ClinicaDLRandomSearch)
        $ranked[2].Name | Should -Be 'trial-1'
        $ranked[2].Place | Should -BeNullOrEmpty
        $ranked[2].Status | Should -Be 'NotStarted'
        [double]::IsNaN($ranked[2].Value) | Should -BeTrue
        $ranked[0..1].Place | Should -Be @(1, 2)
        $both = @(Get-ClinicaDLRandomSearch -Path (Join-Path $TestDrive '[ps]*'))
        $both.Count | Should -Be 6 -Because 'the wildcard names both search folders'
        @($both.SearchPath | Sort-Object -Unique) | Should -Be @($copy, $Search)
    }

    It 'refuses a metric the trials do not have, and a folder without a search' {
        $problems = @()
        Get-ClinicaDLRandomSearch $Search -Metric MAE -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be "InvalidInput$Suffix"
        $problems[0].Exception.Message | Should -BeLike "*no validation metric 'MAE'*BA*"
        Get-ClinicaDLRandomSearch $TestDrive -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be "SearchStateMismatch$Suffix"
    }
}
