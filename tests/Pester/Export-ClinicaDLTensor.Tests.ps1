BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Suffix = ',ClinicaDL.PowerShell.Commands.ExportClinicaDLTensorCommand'
    $data = Join-Path $TestDrive 'data'
    New-ClinicaDLSyntheticDataset -OutputPath $data -ParticipantCount 3 -SessionCount 1 -VoxelSize 3 -Seed 6 | Out-Null
    $script:Caps = Join-Path $data 'caps'
}

Describe 'Export-ClinicaDLTensor' {
    It 'extracts every image once, then skips them' {
        $first = Export-ClinicaDLTensor -CapsPath $Caps -Mode Slice -SliceDirection 1 -SliceMode single -SaveFeatures
        $first.Count | Should -Be 3
        $first.Parts | Should -Be @(70, 70, 70)
        $first.PartFiles | Should -Be @(70, 70, 70)
        $first.Skipped | Should -Be @($false, $false, $false)
        $first[0].TensorPath | Should -Exist
        (Get-Content (Join-Path $Caps 'tensor_extraction/extract_slice.json') -Raw | ConvertFrom-Json).slice_mode | Should -Be 'single'
        $again = Export-ClinicaDLTensor -CapsPath $Caps -Mode Slice -SliceDirection 1 -SliceMode single -SaveFeatures
        $again.Skipped | Should -Be @($true, $true, $true)
    }

    It 'extracts only the sessions of a TSV' {
        $tsv = Join-Path $TestDrive 'one.tsv'
        "participant_id`tsession_id`nsub-002`tses-M000" | Set-Content $tsv
        $one = Export-ClinicaDLTensor $Caps Image -TsvPath $tsv -ExtractJson one
        $one.ParticipantId | Should -Be 'sub-002'
    }

    It 'refuses <Case> with <ErrorId>' -ForEach @(
        @{ Case = 'a patch larger than the image'; Arguments = @{ Mode = 'Patch'; PatchSize = 80 }; ErrorId = 'InvalidInput'; Message = '*does not fit in an image of 57x70x60*' }
        @{ Case = 'a stride of 0'; Arguments = @{ Mode = 'Patch'; PatchSize = 10; StrideSize = 0 }; ErrorId = 'InvalidInput'; Message = '*stride must be at least 1*' }
        @{ Case = 'a slice direction outside 0..2'; Arguments = @{ Mode = 'Slice'; SliceDirection = 3 }; ErrorId = 'InvalidInput'; Message = '*got 3*' }
        @{ Case = 'an unknown region'; Arguments = @{ Mode = 'Roi'; RoiList = 'amygdala' }; ErrorId = 'DatasetItemNotFound'; Message = '*has no region ''amygdala'' (it has: leftHippocampusBox, rightHippocampusBox)*' }
        @{ Case = 'a folder that is not a CAPS'; Arguments = @{ Mode = 'Image' }; NotCaps = $true; ErrorId = 'InvalidCaps'; Message = '*no subjects/ folder*' }
        @{ Case = 'a preprocessing the CAPS lacks'; Arguments = @{ Mode = 'Image'; Preprocessing = 'flair-linear' }; ErrorId = 'DatasetItemNotFound'; Message = '*has no flair-linear image (subjects/sub-*/ses-*/**/*_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_flair.nii.gz) (it has: t1_linear/*_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz (*sessions))*' }
    ) {
        $arguments = @{ CapsPath = if ($NotCaps) { $TestDrive } else { $Caps } } + $Arguments
        { Export-ClinicaDLTensor @arguments -ErrorAction Stop } | Should -Throw -ErrorId "$ErrorId$Suffix" -ExpectedMessage $Message
    }

    It 'writes nothing with -WhatIf' {
        Export-ClinicaDLTensor $Caps Patch -PatchSize 20 -ExtractJson whatif -WhatIf
        Join-Path $Caps 'tensor_extraction/whatif.json' | Should -Not -Exist
    }

    Context 'training from the extracted tensors' {
        BeforeAll {
            # The cached study Determinism's tests read (TestHelpers), copied: these tests extract into it and alter it.
            $study = Get-TestStudy -ParticipantCount 8 -SessionCount 1 -VoxelSize 3 -Seed 12 -TestSize 2 -KFold 2 -CopyTo (Join-Path $TestDrive 'study')
            $script:StudyCaps = $study.Caps
            $folds = $study.Folds
            $script:Train = @{ CapsPath = $StudyCaps; TsvPath = (Split-Path $folds[0].Path); Split = 0; Epochs = 2; BatchSize = 2; BootstrapResamples = 20; Normalize = $true }
            function script:Get-Log([string] $maps) {
                Get-Content (Join-Path $maps 'split-0/training_logs/training.tsv') | ForEach-Object { ($_ -split "`t" | Select-Object -Skip 3) -join "`t" }
            }
        }

        It 'reads the extracted tensors instead of decoding, with the same training as from the NIfTI files' {
            Start-ClinicaDLTraining @Train -OutputPath (Join-Path $TestDrive 'from-nifti') | Out-Null
            Export-ClinicaDLTensor $StudyCaps Image | Out-Null
            $verbose = Start-ClinicaDLTraining @Train -OutputPath (Join-Path $TestDrive 'from-tensors') -Verbose 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            ($verbose.Message -match '^6 image\(s\) are read from their extracted tensors') | Should -Not -BeNullOrEmpty
            ($verbose.Message -match 'Decoding') | Should -BeNullOrEmpty
            Get-Log (Join-Path $TestDrive 'from-tensors') | Should -Be (Get-Log (Join-Path $TestDrive 'from-nifti'))
        }

        It 'decodes an image again when it changed after its extraction' {
            $image = (Get-ChildItem -Path (Join-Path $StudyCaps 'subjects') -Recurse -Filter '*_T1w.nii.gz' | Sort-Object FullName | Select-Object -First 1).FullName
            # The CAPS image of a generated study is a link to the BIDS one (a file in a copied study): replace it by a changed copy.
            $bytes = [System.IO.File]::ReadAllBytes($image)
            Remove-Item -LiteralPath $image
            [System.IO.File]::WriteAllBytes($image, $bytes + [byte[]](0))
            $verbose = Start-ClinicaDLTraining @Train -OutputPath (Join-Path $TestDrive 'changed') -Epochs 1 -Verbose 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            ($verbose.Message -match '^5 image\(s\) are read from their extracted tensors') | Should -Not -BeNullOrEmpty
            ($verbose.Message -match '^Decoding 1 images into memory') | Should -Not -BeNullOrEmpty
        }

        It 'reports a truncated extracted tensor as InvalidTensorFile, naming it, and writes no MAPS' {
            $tensor = (Get-ChildItem -Path (Join-Path $StudyCaps 'subjects') -Recurse -Filter '*.tensor' | Sort-Object FullName | Select-Object -Last 1).FullName
            $bytes = [System.IO.File]::ReadAllBytes($tensor)
            [System.IO.File]::WriteAllBytes($tensor, $bytes[0..($bytes.Length / 2)])
            $maps = Join-Path $TestDrive 'corrupt'
            { Start-ClinicaDLTraining @Train -OutputPath $maps -Epochs 1 } |
                Should -Throw -ErrorId 'InvalidTensorFile,ClinicaDL.PowerShell.Commands.StartClinicaDLTrainingCommand' -ExpectedMessage "*$(Split-Path $tensor -Leaf)*"
            $maps | Should -Not -Exist
        }
    }
}
