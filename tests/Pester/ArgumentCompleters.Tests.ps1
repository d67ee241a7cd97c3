BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force

    function Get-Completion([string] $line) {
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
    }
}

Describe 'Argument completion' {
    Context 'values the module knows' {
        It 'completes network names' {
            Get-Completion 'Start-ClinicaDLTraining -Architecture Conv' | Should -Be @('Conv5_FC3', 'Conv4_FC3', 'Conv5_FC3_SSDA')
            Get-Completion 'Get-ClinicaDLNetwork Res' | Should -Be @('resnet18', 'ResNet3D')
            Get-Completion 'Start-ClinicaDLTraining -Architecture Rand' | Should -Be @('RandomArchitecture')
        }

        It 'completes preprocessing names and the task''s selection metrics' {
            Get-Completion 'Start-ClinicaDLTraining -Preprocessing pet' | Should -Be 'pet-linear'
            Get-Completion 'Start-ClinicaDLTraining -SelectionMetrics sens' | Should -Be 'sensitivity'
            Get-Completion 'Start-ClinicaDLTraining -Task Regression -SelectionMetrics R' | Should -Be @('R2_score', 'RMSE')
        }
    }

    Context 'the extractions of the CAPS on the command line' {
        It 'completes the extraction JSONs of tensor_extraction/' {
            $caps = Join-Path $TestDrive 'caps'
            New-Item -ItemType Directory -Force (Join-Path $caps 'tensor_extraction') | Out-Null
            'extract_patch.json', 'extract_slice.json', 'hippocampi.json' | ForEach-Object { Set-Content (Join-Path $caps "tensor_extraction/$_") '{}' }
            Get-Completion "Start-ClinicaDLTraining -CapsPath '$caps' -ExtractJson " | Should -Be @('extract_patch.json', 'extract_slice.json', 'hippocampi.json')
            Get-Completion "Start-ClinicaDLTraining -CapsPath '$caps' -ExtractJson hip" | Should -Be 'hippocampi.json'
        }
    }

    Context 'the labels on the command line' {
        It 'completes the diagnoses found in the training data' {
            $split = Join-Path $TestDrive 'split'
            New-Item -ItemType Directory -Force (Join-Path $split 'split-0') | Out-Null
            Set-Content (Join-Path $split 'split-0/train.tsv') "participant_id`tsession_id`tdiagnosis`nsub-01`tses-M000`tAD`nsub-02`tses-M000`tMCI`nsub-03`tses-M000`tCN"
            Get-Completion "Start-ClinicaDLTraining -TsvPath '$split' -Diagnoses " | Should -Be @('AD', 'CN', 'MCI')
            Get-Completion "Start-ClinicaDLTraining -TsvPath '$split' -Diagnoses M" | Should -Be 'MCI'
        }
    }

    Context 'the MAPS on the command line' {
        BeforeAll {
            # A MAPS layout is enough to complete from: groups/ and split-<k>/best-<metric>/ folders.
            $script:Maps = Join-Path $TestDrive 'maps'
            foreach ($folder in 'groups/train', 'groups/validation', 'groups/test-adni', 'split-0/best-loss', 'split-0/best-BA', 'split-1/best-loss') {
                New-Item -ItemType Directory -Force (Join-Path $Maps $folder) | Out-Null
            }
            Set-Content (Join-Path $Maps 'maps.json') '{}'
        }

        It 'completes its data groups, splits and kept selection metrics' {
            Get-Completion "Get-MapsResult -MapsPath '$Maps' -DataGroup t" | Should -Be @('test-adni', 'train')
            Get-Completion "Get-MapsResult -MapsPath '$Maps' -Split " | Should -Be @('0', '1')
            Get-Completion "Invoke-ClinicaDLPrediction -MapsPath '$Maps' -DataGroup x -SelectionMetric " | Should -Be @('BA', 'loss')
        }
    }
}
