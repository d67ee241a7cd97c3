# The metrics tables of a MAPS as objects, on MAPS from TestHelpers' cache: read where nothing is written, copied
# where a test adds a data group.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    function Get-Suffix([string] $cmdlet) { ",ClinicaDL.PowerShell.Commands.$($cmdlet -replace '-', '')Command" }
    # The study and MAPS the help examples run on (4 test sessions; splits 0 and 1 trained one epoch with loss and
    # BA; the test group predicted). Cached: read, never written.
    $script:Study = Get-TestStudy -ParticipantCount 12 -SessionCount 1 -VoxelSize 3 -Seed 4 -TestSize 4 -KFold 2
    $script:Caps = $Study.Caps
    $script:Split = $Study.Split
    $script:Training = @{ Epochs = 1; BatchSize = 4; BootstrapResamples = 100; SelectionMetrics = 'loss', 'BA' }
    $script:Maps = (Get-TestMaps -Study $Study -Training $Training -Prediction @{ DataGroup = 'test' }).Path
}

Describe 'Get-MapsResult' {
    Context 'filters that name nothing' {
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
    }

    Context 'a data group predicted on one split only' {
        BeforeAll {
            # A copy: the test predicts a group into it.
            $Maps = (Get-TestMaps -Study $Study -Training $Training -Prediction @{ DataGroup = 'test' } -CopyTo (Join-Path $TestDrive 'maps')).Path
        }

        It 'Get-MapsResult names a group that has no results for the split asked' {
            Invoke-ClinicaDLPrediction -MapsPath $Maps -DataGroup held -CapsPath $Caps -TsvPath $Split.SubsetPath -Split 0 | Out-Null
            Get-MapsResult $Maps -DataGroup held -Split 1 -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $problems[0].Exception.Message | Should -BeLike "Split 1 of the MAPS '*' has no data group 'held' (it has: test, train, validation). The group is defined but has no results there*"
        }
    }

    Context 'a MAPS trained on patches' {
        BeforeAll {
            # Start-ClinicaDLTraining.Parts.Tests.ps1's study and patch MAPS (cached: read, never written).
            $parts = Get-TestStudy -ParticipantCount 12 -SessionCount 1 -VoxelSize 3 -Seed 21 -TestSize 3 -KFold 2 `
                -Extractions @{ Mode = 'Patch'; PatchSize = 24; StrideSize = 24; ExtractJson = 'patch24'; SaveFeatures = $true }
            $Maps = (Get-TestMaps -Study $parts -Training @{
                    Split = 0; Epochs = 2; BatchSize = 8; BootstrapResamples = 20; Normalize = $true; LearningRate = 1e-3; ExtractJson = 'patch24'; SelectionMetrics = 'loss', 'BA'
                }).Path
        }

        It 'reports part-level and image-level metrics through Get-MapsResult -Level' {
            $part = Get-MapsResult $Maps -DataGroup validation -SelectionMetric loss -Level Part
            $part.Level | Should -Be 'patch'
            $part.loss | Should -BeGreaterThan 0
            $image = Get-MapsResult $Maps -DataGroup validation -SelectionMetric loss
            $image.Level | Should -Be 'image'
            $image.Path | Should -BeLike '*validation_image_level_metrics.tsv'
            $image.BA | Should -BeGreaterOrEqual 0
        }
    }

    Context 'a MAPS written by ClinicaDL 1.6.1' {
        BeforeAll {
            $script:ClinicaMaps = if (Get-SharedTestData) { Join-Path $TestDrive 'clinicadl-maps' } else { $null }
            if ($ClinicaMaps) { Copy-Item -Recurse (Join-Path (Get-SharedTestData) 'clinicadl-maps/maps') $ClinicaMaps }
        }

        It 'gives the values of its metrics TSVs, <DataGroup> with best-<Metric>' -ForEach @(
            @{ DataGroup = 'train'; Metric = 'loss'; BA = 0.8333333333333333; Loss = 1.3403304815292358; Lower = 0.5; Se = 0.1664364906809956 }
            @{ DataGroup = 'validation'; Metric = 'loss'; BA = 0.5; Loss = 1.820226788520813; Lower = 0.5; Se = 0.05875500588805718 }
            @{ DataGroup = 'test'; Metric = 'loss'; BA = 0.25; Loss = 1.6419600248336792; Lower = 0.0; Se = 0.1939046724861651 }
            @{ DataGroup = 'train'; Metric = 'BA'; BA = 0.5; Loss = 2.081916093826294; Lower = 0.5; Se = 0.05875500588805718 }
        ) {
            if (-not $ClinicaMaps) { Set-ItResult -Skipped -Because $SharedTestDataAbsent; return }
            $row = @(Get-MapsResult $ClinicaMaps -DataGroup $DataGroup -SelectionMetric $Metric)
            $row.Count | Should -Be 1
            $row[0].Split | Should -Be 0
            $row[0].Level | Should -Be 'image'
            $row[0].BA | Should -Be $BA
            $row[0].loss | Should -Be $Loss
            $row[0].BA_Lower | Should -Be $Lower
            $row[0].BA_SE | Should -Be $Se
        }
    }
}
