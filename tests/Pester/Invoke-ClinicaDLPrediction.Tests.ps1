# Prediction on MAPS from TestHelpers' cache: the study and MAPS of Start-ClinicaDLTraining's tests, of the help
# examples, of part-based training and of reconstruction, each copied here since a prediction writes its data group
# into it.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:PredictSuffix = ',ClinicaDL.PowerShell.Commands.InvokeClinicaDLPredictionCommand'
    function Get-Suffix([string] $cmdlet) { ",ClinicaDL.PowerShell.Commands.$($cmdlet -replace '-', '')Command" }
    function script:Read-Tsv([string] $path) { Import-Csv -LiteralPath $path -Delimiter "`t" }
}

Describe 'Invoke-ClinicaDLPrediction' {
    Context 'a MAPS of one split' {
        BeforeAll {
            # Start-ClinicaDLTraining.Tests.ps1's study (4 test sessions) and its MAPS of split 0.
            $study = Get-TestStudy -ParticipantCount 14 -SessionCount 1 -VoxelSize 3 -Seed 2 -TestSize 4 -KFold 2
            $Caps = $study.Caps
            $Split = $study.Split
            $PredictionMaps = Join-Path $TestDrive 'predict-maps'
            Get-TestMaps -Study $study -Training @{ Split = 0; Epochs = 2; BatchSize = 4; LearningRate = 5e-4; BootstrapResamples = 200 } -CopyTo $PredictionMaps | Out-Null
        }

        Context 'a test group the model never saw' {
            It 'writes the group and its results and emits one row per session' {
                $rows = Invoke-ClinicaDLPrediction -MapsPath $PredictionMaps -DataGroup test -CapsPath $Caps -TsvPath $Split.SubsetPath
                $rows.Count | Should -Be 4
                $rows[0].PredictedLabel | Should -BeIn @('AD', 'CN')
                $rows.LeakageOverride | Should -Not -Contain $true
                Join-Path $PredictionMaps 'groups/test/data.tsv' | Should -Exist
                Join-Path $PredictionMaps 'split-0/best-loss/test/test_image_level_metrics.tsv' | Should -Exist
                (Get-MapsResult $PredictionMaps -DataGroup test).DataGroup | Should -Be 'test'
            }
        }

        Context 'the device at prediction time' {
            It 'evaluates a MAPS trained on another device on the one asked for, and writes it in description.log' {
                # A MAPS trained on a GPU, as its maps.json says; this machine has none.
                $gpuMaps = Join-Path $TestDrive 'gpu-maps'
                Copy-Item -LiteralPath $PredictionMaps -Destination $gpuMaps -Recurse
                $description = Get-Content (Join-Path $gpuMaps 'maps.json') -Raw | ConvertFrom-Json
                $description.device = 'cuda'
                $description | ConvertTo-Json -Depth 10 | Set-Content (Join-Path $gpuMaps 'maps.json')
                Invoke-ClinicaDLPrediction -MapsPath $gpuMaps -DataGroup on-cpu -CapsPath $Caps -TsvPath $Split.SubsetPath -ErrorVariable refused -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                $refused[0].FullyQualifiedErrorId | Should -Be "TorchUnavailable$PredictSuffix"
                $refused[0].Exception.Message | Should -Match "Device 'cuda'.*Use -Device cpu"
                # Refused before anything was written.
                Join-Path $gpuMaps 'groups/on-cpu' | Should -Not -Exist
                $rows = Invoke-ClinicaDLPrediction -MapsPath $gpuMaps -DataGroup on-cpu -CapsPath $Caps -TsvPath $Split.SubsetPath -Device cpu
                $rows.Count | Should -Be 4
                Get-Content (Join-Path $gpuMaps 'split-0/best-loss/on-cpu/description.log') | Should -Contain 'Device: cpu'
                # The same model on the same device: the same probabilities as the MAPS predicted where it was trained.
                Invoke-ClinicaDLPrediction -MapsPath $PredictionMaps -DataGroup on-cpu -CapsPath $Caps -TsvPath $Split.SubsetPath | Out-Null
                $reference = Import-Csv (Join-Path $PredictionMaps 'split-0/best-loss/on-cpu/on-cpu_image_level_prediction.tsv') -Delimiter "`t"
                $ours = Import-Csv (Join-Path $gpuMaps 'split-0/best-loss/on-cpu/on-cpu_image_level_prediction.tsv') -Delimiter "`t"
                $ours.proba0 | Should -Be $reference.proba0
            }
        }

        Context 'data seen in training' {
            It 'refuses it with DataLeakage and the participants' {
                Invoke-ClinicaDLPrediction -MapsPath $PredictionMaps -DataGroup seen -CapsPath $Caps -TsvPath $Split.TrainPath -ErrorVariable refused -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                $refused[0].FullyQualifiedErrorId | Should -Be "DataLeakage$PredictSuffix"
                $refused[0].Exception.Message | Should -Match 'sub-\d{3}'
                Join-Path $PredictionMaps 'groups/seen' | Should -Not -Exist
            }

            It 'proceeds with -AllowDataLeakage and records the override' {
                $rows = Invoke-ClinicaDLPrediction -MapsPath $PredictionMaps -DataGroup forced -CapsPath $Caps -TsvPath $Split.TrainPath -AllowDataLeakage -WarningAction SilentlyContinue
                $rows.LeakageOverride | Select-Object -Unique | Should -Be $true
                (Get-Content (Join-Path $PredictionMaps 'groups/forced/maps.json') -Raw | ConvertFrom-Json).leakage_override.participants.Count | Should -BeGreaterThan 0
                (Get-MapsInfo $PredictionMaps).LeakageOverrides | Should -Contain 'forced'
                (Get-MapsInfo $PredictionMaps | Out-String) | Should -Match 'LeakageOverrides\s+: forced'
            }

            It 'never overwrites the train and validation groups' {
                Invoke-ClinicaDLPrediction -MapsPath $PredictionMaps -DataGroup train -CapsPath $Caps -TsvPath $Split.SubsetPath -ErrorVariable refused -ErrorAction SilentlyContinue
                $refused[0].FullyQualifiedErrorId | Should -Be "InvalidDataGroup$PredictSuffix"
            }
        }
    }

    Context 'a MAPS written by ClinicaDL 1.6.1 (../shared/testdata/clinicadl-maps)' {
        BeforeAll {
            $script:Reference = if (Get-SharedTestData) { Join-Path (Get-SharedTestData) 'clinicadl-maps' } else { $null }
        }

        It 'predicts its test images from its model.pth.tar with ClinicaDL''s own probabilities' {
            if (-not $script:Reference) { Set-ItResult -Skipped -Because $SharedTestDataAbsent; return }
            $maps = Join-Path $TestDrive 'clinicadl-maps'
            Copy-Item -LiteralPath (Join-Path $script:Reference 'maps') -Destination $maps -Recurse
            $rows = Invoke-ClinicaDLPrediction -MapsPath $maps -DataGroup test-here -CapsPath (Join-Path $script:Reference 'caps') `
                -TsvPath (Join-Path $script:Reference 'split/test_baseline.tsv') -Split 0 -SelectionMetric loss
            $expected = Import-Csv (Join-Path $maps 'split-0/best-loss/test/test_image_level_prediction.tsv') -Delimiter "`t"
            $rows.Count | Should -Be 4
            foreach ($row in $expected) {
                $ours = $rows | Where-Object ParticipantId -EQ $row.participant_id
                [math]::Abs($ours.Probabilities[1] - [double]$row.proba1) | Should -BeLessThan 1e-4
            }
        }
    }

    Context 'groups that drop most of their sessions, and names the MAPS does not have' {
        BeforeAll {
            # The study and MAPS the help examples run on (4 test sessions; splits 0 and 1 trained one epoch with loss
            # and BA; the test group predicted).
            $study = Get-TestStudy -ParticipantCount 12 -SessionCount 1 -VoxelSize 3 -Seed 4 -TestSize 4 -KFold 2
            $Caps = $study.Caps
            $Split = $study.Split
            $Maps = Join-Path $TestDrive 'maps'
            Get-TestMaps -Study $study -Training @{ Epochs = 1; BatchSize = 4; BootstrapResamples = 100; SelectionMetrics = 'loss', 'BA' } -Prediction @{ DataGroup = 'test' } -CopyTo $Maps | Out-Null
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

    Context 'a MAPS trained on patches' {
        BeforeAll {
            # Start-ClinicaDLTraining.Parts.Tests.ps1's study (3 test sessions, 8 patches of 24 voxels per image) and
            # its patch MAPS.
            $study = Get-TestStudy -ParticipantCount 12 -SessionCount 1 -VoxelSize 3 -Seed 21 -TestSize 3 -KFold 2 `
                -Extractions @{ Mode = 'Patch'; PatchSize = 24; StrideSize = 24; ExtractJson = 'patch24'; SaveFeatures = $true }
            $Caps = $study.Caps
            $TestSplit = $study.Split
            $Maps = Join-Path $TestDrive 'maps-patch'
            Get-TestMaps -Study $study -CopyTo $Maps -Training @{
                Split = 0; Epochs = 2; BatchSize = 8; BootstrapResamples = 20; Normalize = $true; LearningRate = 1e-3; ExtractJson = 'patch24'; SelectionMetrics = 'loss', 'BA'
            } | Out-Null
            $Best = Join-Path $Maps 'split-0/best-loss'
        }

        It 'predicts a test group per part and per image' {
            $rows = Invoke-ClinicaDLPrediction -MapsPath $Maps -DataGroup test -CapsPath $Caps -TsvPath $TestSplit.SubsetPath -SelectionMetric loss
            $rows.Count | Should -Be 3
            (Read-Tsv (Join-Path $Best 'test/test_patch_level_prediction.tsv')).Count | Should -Be 24
            $image = Read-Tsv (Join-Path $Best 'test/test_image_level_prediction.tsv')
            $image.participant_id | Should -Be @($rows.ParticipantId)
        }
    }

    Context 'a reconstruction MAPS' {
        BeforeAll {
            # Start-ClinicaDLTraining.Reconstruction.Tests.ps1's study (2 test sessions) and its autoencoder.
            $study = Get-TestStudy -ParticipantCount 10 -SessionCount 1 -VoxelSize 3 -Seed 31 -TestSize 2 -KFold 2
            $Caps = $study.Caps
            $TestSplit = $study.Split
            $Maps = Join-Path $TestDrive 'maps-reconstruction'
            Get-TestMaps -Study $study -CopyTo $Maps -Training @{
                Split = 0; BatchSize = 2; BootstrapResamples = 20; Normalize = $true; LearningRate = 1e-3; Task = 'Reconstruction'; Epochs = 4
            } | Out-Null
            $Best = Join-Path $Maps 'split-0/best-loss'
        }

        It 'predicts a test group, saving inputs and reconstructions as NIfTI over the source image' {
            $rows = Invoke-ClinicaDLPrediction -MapsPath $Maps -DataGroup test -CapsPath $Caps -TsvPath $TestSplit.SubsetPath -SelectionMetric loss -SaveNifti -SaveTensor
            $rows.Count | Should -Be 2
            $rows[0].ReconstructionMetrics.Keys | Should -Be @('MAE', 'RMSE', 'PSNR', 'SSIM')
            $rows[0].PredictedLabel | Should -BeNullOrEmpty
            $participant = $rows[0].ParticipantId
            $saved = Read-NiftiImage (Join-Path $Best "test/nifti_images/$($participant)_ses-M000_image_input.nii.gz")
            $source = Read-NiftiImage (Get-ChildItem -Recurse (Join-Path $Caps "subjects/$participant") -Filter '*_T1w.nii.gz' | Select-Object -First 1).FullName
            $saved.Shape | Should -Be $source.Shape
            for ($r = 0; $r -lt 4; $r++) { for ($c = 0; $c -lt 4; $c++) { $saved.Affine[$r, $c] | Should -Be $source.Affine[$r, $c] } }
            Join-Path $Best "test/nifti_images/$($participant)_ses-M000_image_output.nii.gz" | Should -Exist
            @(Get-ChildItem (Join-Path $Best 'test/tensors')).Count | Should -Be 4
        }
    }
}
