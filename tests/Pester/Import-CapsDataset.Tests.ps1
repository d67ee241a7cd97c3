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
            $problems[0].Exception.Message | Should -BeLike ("*has no pet-linear image (subjects/sub-*/ses-*/**/pet_linear/*_trc-11CPIB_*_suvr-pons2_pet.nii.gz) (it has: " +
                "pet_linear/*_trc-18FFDG_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_suvr-pons2_pet.nii.gz (1 sessions), " +
                "t1_linear/*_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz (2 sessions), " +
                "t1_linear/*_T1w_space-MNI152NLin2009cSym_res-1x1x1_T1w.nii.gz (1 sessions))*")
        }

        It 'refuses a folder without subjects/ with InvalidCaps' {
            { Import-CapsDataset $TestDrive -Preprocessing t1-linear -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidCaps,ClinicaDL.PowerShell.Commands.ImportCapsDatasetCommand'
        }
    }
    Context 'a CAPS with file-system traps' {
        BeforeAll {
            $script:Trapped = Join-Path $TestDrive 'trapped'
            foreach ($session in 'sub-01/ses-M000', 'sub-02/ses-M000') {
                $folder = Join-Path $Trapped "subjects/$session/t1_linear"
                New-Item -ItemType Directory -Force $folder | Out-Null
                $name = ($session -replace '/', '_') + '_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz'
                Set-Content (Join-Path $folder $name) 'x'
            }
            $t1 = Join-Path $Trapped 'subjects/sub-01/ses-M000/t1_linear'
            New-Item -ItemType SymbolicLink -Path (Join-Path $t1 'again') -Target $t1 | Out-Null
            New-Item -ItemType SymbolicLink -Path (Join-Path $t1 'up') -Target (Split-Path $t1) | Out-Null
            New-Item -ItemType SymbolicLink -Path (Join-Path $Trapped 'subjects/sub-02/ses-M012') -Target (Join-Path $Trapped 'subjects/sub-02/ses-M000') | Out-Null
            $script:Links = @((Join-Path $t1 'again'), (Join-Path $t1 'up'), (Join-Path $Trapped 'subjects/sub-02/ses-M012'))
        }

        # Pester's TestDrive cleanup (Remove-Item -Recurse) follows the self-links without end: unlink them first.
        AfterAll {
            $Links | ForEach-Object { [IO.Directory]::Delete($_, $false) }
        }

        It 'ends despite self-links, lists each image once and warns about each link it did not follow' {
            # In a child process: the walk that followed the links never ended and grew past 2.6 GB.
            $pwsh = [Environment]::GetCommandLineArgs()[0]
            $prefix = @(if ($pwsh -like '*.dll') { $pwsh })
            $out = Join-Path $TestDrive 'caps.out'
            $child = Start-Process -FilePath ([Environment]::ProcessPath) -PassThru -NoNewWindow -RedirectStandardOutput $out -ArgumentList ($prefix + @(
                '-NoProfile', '-NonInteractive', '-Command',
                "Import-Module '$(Get-ClinicaDLModulePath)'; Import-CapsDataset -LiteralPath '$Trapped' -Preprocessing t1-linear -WarningVariable w -WarningAction SilentlyContinue | ForEach-Object { 'image ' + `$_.ParticipantId + ' ' + `$_.SessionId }; `$w | ForEach-Object { 'warning ' + `$_.Message }"))
            if (-not $child.WaitForExit(120000)) {
                $child.Kill($true)
                throw 'Import-CapsDataset did not end on a CAPS with self-links'
            }
            $output = Get-Content $out
            $output | Where-Object { $_ -like 'image *' } | Should -Be @('image sub-01 ses-M000', 'image sub-02 ses-M000')
            @($output | Where-Object { $_ -like 'warning *links to a folder*' }).Count | Should -Be 2
            $output | Where-Object { $_ -like '*ses-M012*' } | Should -BeLike '*same folder as*ses-M000*'
        }
    }

    Context 'the folders ClinicaDL 1.6.1 writes and reads' {
        It 'reads the t1-linear/ folders ClinicaDL''s generate trivial and artifacts write, as ClinicaDL reads them' {
            $caps = Join-Path $TestDrive 'generated'
            foreach ($relative in @(
                    'subjects/sub-TRIV0/ses-M000/t1-linear/sub-TRIV0_ses-M000_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz'
                    'subjects/sub-RAND0/ses-M000/t1_linear/sub-RAND0_ses-M000_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz')) {
                $path = Join-Path $caps $relative
                New-Item -ItemType Directory -Force (Split-Path $path) | Out-Null
                Set-Content $path ''
            }
            $images = Import-CapsDataset $caps -Preprocessing t1-linear
            $images.ParticipantId | Should -Be @('sub-RAND0', 'sub-TRIV0')
            $images[1].Path | Should -Be (Join-Path $caps 'subjects/sub-TRIV0/ses-M000/t1-linear/sub-TRIV0_ses-M000_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz')
        }

        It 'reads the CAPS ClinicaDL''s prepare-data ran on' {
            $shared = Get-SharedTestData
            if (-not $shared) { Set-ItResult -Skipped -Because $SharedTestDataAbsent; return }
            $images = Import-CapsDataset (Join-Path $shared 'clinicadl-maps/caps') -Preprocessing t1-linear
            $images.Count | Should -Be 16
            $images | ForEach-Object { $_.Cropped | Should -BeTrue }
        }
    }
}
