BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
}

Describe 'Import-CapsDataset' {
    Context 'a CAPS with t1-linear and pet-linear images' {
        BeforeAll {
            $script:Caps = Join-Path $TestDrive 'caps'
            foreach ($relative in @(
                    'subjects/sub-01/ses-M000/t1_linear/sub-01_ses-M000_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz'
                    'subjects/sub-01/ses-M012/t1_linear/sub-01_ses-M012_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz'
                    'subjects/sub-02/ses-M000/t1_linear/sub-02_ses-M000_T1w_space-MNI152NLin2009cSym_res-1x1x1_T1w.nii.gz'
                    'subjects/sub-02/ses-M000/pet_linear/sub-02_ses-M000_trc-18FFDG_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_suvr-pons2_pet.nii.gz')) {
                $path = Join-Path $Caps $relative
                New-Item -ItemType Directory -Force (Split-Path $path) | Out-Null
                Set-Content $path ''
            }
        }

        It 'finds the cropped t1-linear images by default' {
            $images = Import-CapsDataset $Caps -Preprocessing t1-linear
            $images.Count | Should -Be 2
            $images.SessionId | Should -Be @('ses-M000', 'ses-M012')
            $images.Cropped | Should -Not -Contain $false
        }

        It 'finds the uncropped ones with -UseUncroppedImage' {
            (Import-CapsDataset $Caps -Preprocessing t1-linear -UseUncroppedImage).ParticipantId | Should -Be 'sub-02'
        }

        It 'finds pet-linear images by tracer and reference region' {
            $pet = Import-CapsDataset $Caps -Preprocessing pet-linear -Tracer 18FFDG -SuvrReferenceRegion pons2
            $pet.Tracer | Should -Be '18FFDG'
            $pet.SuvrReferenceRegion | Should -Be 'pons2'
        }

        It 'refuses pet-linear without a tracer with InvalidCaps' {
            { Import-CapsDataset $Caps -Preprocessing pet-linear -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidCaps,ClinicaDL.PowerShell.Commands.ImportCapsDatasetCommand'
        }

        It 'reports a query no image matches with DatasetItemNotFound, listing the kinds of image the CAPS has' {
            $images = Import-CapsDataset $Caps -Preprocessing pet-linear -Tracer 11CPIB -SuvrReferenceRegion pons2 -ErrorVariable problems -ErrorAction SilentlyContinue
            $images | Should -BeNullOrEmpty
            $problems.Count | Should -Be 1
            $problems[0].FullyQualifiedErrorId | Should -Be 'DatasetItemNotFound,ClinicaDL.PowerShell.Commands.ImportCapsDatasetCommand'
            $problems[0].Exception.Message | Should -BeLike ("*has no pet-linear image (*_trc-11CPIB_*_suvr-pons2_pet.nii.gz in pet_linear/) (it has: " +
                "pet_linear/*_trc-18FFDG_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_suvr-pons2_pet.nii.gz (1 sessions), " +
                "t1_linear/*_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz (2 sessions), " +
                "t1_linear/*_T1w_space-MNI152NLin2009cSym_res-1x1x1_T1w.nii.gz (1 sessions))*")
        }

        It 'refuses a folder without subjects/ with InvalidCaps' {
            { Import-CapsDataset $TestDrive -Preprocessing t1-linear -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidCaps,ClinicaDL.PowerShell.Commands.ImportCapsDatasetCommand'
        }
    }
}
