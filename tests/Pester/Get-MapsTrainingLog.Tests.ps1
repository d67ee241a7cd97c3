# The per-epoch rows of each split's training.tsv as objects, on MAPS from TestHelpers' cache (read, never written).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    function Get-Suffix([string] $cmdlet) { ",ClinicaDL.PowerShell.Commands.$($cmdlet -replace '-', '')Command" }
    # Pipelines.Tests.ps1's study and MAPS: splits 0 and 1, trained one epoch each.
    $study = Get-TestStudy -ParticipantCount 12 -SessionCount 1 -VoxelSize 3 -Seed 3 -TestSize 4 -SplitSeed 1 -KFold 2 -KFoldSeed 1
    $script:Maps = (Get-TestMaps -Study $study -Training @{ Epochs = 1; BatchSize = 4; BootstrapResamples = 20; SelectionMetrics = 'loss', 'BA' } -Prediction @{ DataGroup = 'test' }).Path
}

Describe 'Get-MapsTrainingLog' {
    It 'Get-MapsTrainingLog reports a missing split and reads the others' {
        $rows = Get-MapsTrainingLog $Maps -Split 1, 5 -ErrorVariable problems -ErrorAction SilentlyContinue
        $rows.Split | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be "MapsItemNotFound$(Get-Suffix Get-MapsTrainingLog)"
        $problems[0].Exception.Message | Should -BeLike '*has no split 5 (it has: 0, 1).'
    }
}
