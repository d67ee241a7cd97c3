# A MAPS at a glance, on the study and MAPS the help examples run on, from TestHelpers' cache: 12 participants of which
# 4 are held out for testing, splits 0 and 1 trained with loss and BA, the test group predicted. Read where nothing is
# written, copied where a test takes the MAPS apart.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Suffix = ',ClinicaDL.PowerShell.Commands.GetMapsInfoCommand'
    $script:Study = Get-TestStudy -ParticipantCount 12 -SessionCount 1 -VoxelSize 3 -Seed 4 -TestSize 4 -KFold 2
    $script:Training = @{ Epochs = 1; BatchSize = 4; BootstrapResamples = 100; SelectionMetrics = 'loss', 'BA' }
    $script:Maps = (Get-TestMaps -Study $Study -Training $Training -Prediction @{ DataGroup = 'test' }).Path
}

Describe 'Get-MapsInfo' {
    It 'summarises a complete MAPS: task, network, splits, selection metrics, data groups and participants seen' {
        $info = Get-MapsInfo $Maps
        $info.MapsPath | Should -Be $Maps
        $info.Status | Should -Be 'Complete'
        $info.IncompleteSplits | Should -BeNullOrEmpty
        $info.Task | Should -Be 'classification'
        $info.Architecture | Should -Be 'Conv5_FC3'
        $info.Mode | Should -Be 'image'
        $info.PartsPerImage | Should -Be 1
        $info.MultiNetwork | Should -BeFalse
        $info.Splits | Should -Be @(0, 1)
        $info.SelectionMetrics | Should -Be @('loss', 'BA')
        $info.DataGroups | Should -Be @('test', 'train', 'validation')
        $info.Seed | Should -Be 0
        $info.InputSize | Should -Be @('1', '57', '70', '60')
        # The 12 participants less the 4 held out.
        $info.ParticipantsSeenInTraining | Should -Be 8
        $info.LeakageOverrides | Should -BeNullOrEmpty
        ($info | Out-String) | Should -Match 'Status\s+: Complete\s'
    }

    It 'names the splits a stopped run left unfinished: a checkpoint folder, or a selection metric without its best model' {
        $copy = (Get-TestMaps -Study $Study -Training $Training -Prediction @{ DataGroup = 'test' } -CopyTo (Join-Path $TestDrive 'stopped')).Path
        New-Item -ItemType Directory (Join-Path $copy 'split-1/tmp') | Out-Null
        $info = Get-MapsInfo $copy
        $info.Status | Should -Be 'Incomplete'
        $info.IncompleteSplits | Should -Be @(1)
        ($info | Out-String) | Should -Match 'Incomplete: split\(s\) 1 unfinished; Resume-ClinicaDLTraining completes them'
        Remove-Item -Recurse (Join-Path $copy 'split-0/best-BA')
        (Get-MapsInfo $copy).IncompleteSplits | Should -Be @(0, 1)
    }

    It 'reports a folder that is not a MAPS with MapsNotFound, and summarises the MAPS piped after it' {
        $infos = Get-Item $TestDrive, $Maps | Get-MapsInfo -ErrorVariable problems -ErrorAction SilentlyContinue
        @($infos).Count | Should -Be 1
        $infos.MapsPath | Should -Be $Maps
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be "MapsNotFound$Suffix"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].Exception.Message | Should -Be "'$TestDrive' is not a MAPS: it has no maps.json."
    }

    Context 'a MAPS written by ClinicaDL 1.6.1' {
        BeforeAll {
            # ClinicaDL's own MAPS (shared test data, read-only): copied, so that nothing could ever write into it.
            $script:ClinicaMaps = if (Get-SharedTestData) { Join-Path $TestDrive 'clinicadl-maps' } else { $null }
            if ($ClinicaMaps) { Copy-Item -Recurse (Join-Path (Get-SharedTestData) 'clinicadl-maps/maps') $ClinicaMaps }
        }

        It 'gives its values from its maps.json and folders' {
            if (-not $ClinicaMaps) { Set-ItResult -Skipped -Because $SharedTestDataAbsent; return }
            $info = Get-MapsInfo $ClinicaMaps
            $info.Task | Should -Be 'classification'
            $info.Architecture | Should -Be 'Conv5_FC3'
            $info.Mode | Should -Be 'image'
            $info.Splits | Should -Be @(0)
            $info.SelectionMetrics | Should -Be @('loss', 'BA')
            $info.DataGroups | Should -Be @('test', 'train', 'validation')
            @($info.InputSize) | Should -Be @(1, 57, 70, 60)
            # groups/train+validation.tsv lists the 12 participants of the two folds (16 minus the 4 held out).
            $info.ParticipantsSeenInTraining | Should -Be 12
            $info.Status | Should -Be 'Complete'
        }
    }
}
