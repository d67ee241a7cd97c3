BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Suffix = ',ClinicaDL.PowerShell.Commands.NewClinicaDLSyntheticDatasetCommand'
}

Describe 'New-ClinicaDLSyntheticDataset' {
    Context 'a small phantom data set' {
        BeforeAll {
            $script:Output = Join-Path $TestDrive 'synthetic'
            $script:Sessions = New-ClinicaDLSyntheticDataset -OutputPath $Output -ParticipantCount 6 -SessionCount 2 -VoxelSize 3 -Seed 1
        }

        It 'emits one object per session with diagnosis, age, sex and paths' {
            $Sessions.Count | Should -Be 12
            ($Sessions | Group-Object Diagnosis | ForEach-Object Count) | Should -Be @(6, 6)
            $Sessions[0].SessionId | Should -Be 'ses-M000'
            $Sessions[1].SessionId | Should -Be 'ses-M012'
            $Sessions | ForEach-Object { Test-Path $_.BidsPath | Should -BeTrue; Test-Path $_.CapsPath | Should -BeTrue }
            ($Sessions | Format-Table | Out-String -Width 200) | Should -Match 'ParticipantId\s+SessionId\s+Diagnosis\s+Age\s+Sex\s+AtrophySeverity'
        }

        It 'writes images Read-NiftiImage reads at the requested voxel size' {
            $image = Read-NiftiImage $Sessions[0].CapsPath
            $image.Shape | Should -Be @(57, 70, 60)
            $image.VoxelSize | Should -Be @(3, 3, 3)
            ($image.GetData() | Measure-Object -Maximum).Maximum | Should -BeGreaterThan 50
        }

        It 'writes a BIDS dataset Import-BidsDataset reads, and labels New-ClinicaDLSplit accepts' {
            $bids = Import-BidsDataset (Join-Path $Output 'bids')
            $bids.Count | Should -Be 12
            $bids[0].diagnosis | Should -BeIn @('AD', 'CN')
            $split = New-ClinicaDLSplit -Path (Join-Path $Output 'labels.tsv') -TestSize 2 -IgnoreDemographics
            $split.SubsetParticipants | Should -Be 2
        }

        It 'records every parameter and the seed in synthetic.json' {
            $json = Get-Content (Join-Path $Output 'synthetic.json') -Raw | ConvertFrom-Json
            $json.seed | Should -Be 1
            $json.voxel_size | Should -Be 3
            $json.participant_count | Should -Be 6
            $json.atrophy_strength | Should -Be 1
        }

        It 'saves a picture of a CN and an AD phantom' {
            $cn = $Sessions | Where-Object Diagnosis -eq CN | Select-Object -First 1
            $ad = $Sessions | Where-Object Diagnosis -eq AD | Select-Object -First 1
            $volumes = [System.Collections.Generic.List[float[]]]::new()
            foreach ($session in $cn, $ad) {
                $header = $null
                $volumes.Add([ClinicaDL.Core.Imaging.NiftiReader]::ReadSingle($session.CapsPath, [ref]$header))
            }
            $pictures = Join-Path (Split-Path (Split-Path (Get-ClinicaDLModulePath))) 'TestResults'
            New-Item -ItemType Directory -Force $pictures | Out-Null
            $png = Join-Path $pictures 'synthetic-phantoms-cn-ad.png'
            # Slices through the left hippocampus (brain-centred -27, -20, -14 mm).
            [ClinicaDL.Core.Reports.SliceMontage]::Write($png, $volumes, [int[]](57, 70, 60), [int[]](19, 27, 25), 3)
            $bytes = [IO.File]::ReadAllBytes($png)
            $bytes[1..3] | Should -Be ([byte[]][char[]]'PNG')
        }
    }

    Context 'raw scans with -Raw' {
        BeforeAll {
            $script:RawOutput = Join-Path $TestDrive 'raw'
            $script:RawSessions = New-ClinicaDLSyntheticDataset -OutputPath $RawOutput -ParticipantCount 2 -SessionCount 2 -VoxelSize 3 -Seed 2 -Raw
            $script:Transforms = Import-Csv (Join-Path $RawOutput 'transforms.tsv') -Delimiter "`t"
        }

        It 'writes transforms.tsv with one row per session, the 3x4 matrix and the scan parameters' {
            $Transforms.Count | Should -Be 4
            $columns = $Transforms[0].PSObject.Properties.Name
            $columns[0..13] | Should -Be @('participant_id', 'session_id', 'm00', 'm01', 'm02', 'm03', 'm10', 'm11', 'm12', 'm13', 'm20', 'm21', 'm22', 'm23')
            $columns | Should -Contain 'orientation'
            $columns | Should -Contain 'bias_amplitude'
            $columns | Should -Contain 'noise_level'
            ($Transforms | ForEach-Object { "$($_.participant_id)/$($_.session_id)" }) | Should -Be ($RawSessions | ForEach-Object { "$($_.ParticipantId)/$($_.SessionId)" })
            $Transforms | ForEach-Object { [math]::Abs([double]::Parse($_.m00, [cultureinfo]::InvariantCulture)) | Should -BeGreaterThan 0.8 }
        }

        It 'writes BIDS images in scanner space, on the grid transforms.tsv names, that Import-BidsDataset reads' {
            $bids = Import-BidsDataset (Join-Path $RawOutput 'bids')
            $bids.Count | Should -Be 4
            foreach ($session in $RawSessions) {
                $row = $Transforms | Where-Object { $_.participant_id -eq $session.ParticipantId -and $_.session_id -eq $session.SessionId }
                $native = Read-NiftiImage $session.BidsPath
                $native.VoxelSize | Should -Be @([double]$row.voxel_size_i_mm, [double]$row.voxel_size_j_mm, [double]$row.voxel_size_k_mm)
                $native.Header.SformCode | Should -Be 1
                (Read-NiftiImage $session.CapsPath).Shape | Should -Be @(57, 70, 60)
            }
            ($Transforms.orientation | Select-Object -Unique).Count | Should -BeGreaterThan 1
        }

        It 'writes the template and its brain mask on the CAPS grid' {
            $template = Read-NiftiImage (Join-Path $RawOutput 'template/tpl-ClinicaDLPhantom_res-3_T1w.nii.gz')
            $mask = Read-NiftiImage (Join-Path $RawOutput 'template/tpl-ClinicaDLPhantom_res-3_desc-brain_mask.nii.gz')
            $caps = Read-NiftiImage $RawSessions[0].CapsPath
            $template.Shape | Should -Be @(57, 70, 60)
            $mask.Shape | Should -Be @(57, 70, 60)
            "$($template.Affine)" | Should -Be "$($caps.Affine)"
            [Linq.Enumerable]::Sum($mask.GetData()) | Should -BeGreaterThan 10000
        }

        It 'records -Raw, its ranges and the template in synthetic.json' {
            $json = Get-Content (Join-Path $RawOutput 'synthetic.json') -Raw | ConvertFrom-Json
            $json.raw | Should -BeTrue
            $json.raw_ranges.rotation_degrees | Should -Be @(-15, 15)
            $json.raw_ranges.translation_mm | Should -Be @(-20, 20)
            $json.raw_ranges.scale | Should -Be @(0.9, 1.1)
            $json.template | Should -Be 'template/tpl-ClinicaDLPhantom_res-3_T1w.nii.gz'
        }

        It 'keeps the CAPS of the same data set without -Raw' {
            $plain = Join-Path $TestDrive 'plain'
            $plainSessions = New-ClinicaDLSyntheticDataset -OutputPath $plain -ParticipantCount 2 -SessionCount 2 -VoxelSize 3 -Seed 2
            for ($n = 0; $n -lt 4; $n++) {
                (Get-FileHash $RawSessions[$n].CapsPath).Hash | Should -Be (Get-FileHash $plainSessions[$n].CapsPath).Hash
                (Get-FileHash $RawSessions[$n].BidsPath).Hash | Should -Not -Be (Get-FileHash $plainSessions[$n].BidsPath).Hash
            }
            Test-Path (Join-Path $plain 'transforms.tsv') | Should -BeFalse
        }

        It 'writes nothing with -WhatIf' {
            $output = Join-Path $TestDrive 'raw-whatif'
            New-ClinicaDLSyntheticDataset -OutputPath $output -ParticipantCount 2 -VoxelSize 3 -Raw -WhatIf | Should -BeNullOrEmpty
            Test-Path $output | Should -BeFalse
        }

        It 'refuses -Raw with another kind than Phantom, before writing anything' {
            $output = Join-Path $TestDrive 'raw-shepplogan'
            { New-ClinicaDLSyntheticDataset -OutputPath $output -Kind SheppLogan -ParticipantCount 2 -Raw } |
                Should -Throw -ErrorId "InvalidInput$Suffix" -ExpectedMessage '*-Kind Phantom*'
            Test-Path $output | Should -BeFalse
        }
    }

    Context 'requests it refuses' {
        It 'refuses a non-empty folder, and never deletes a folder it did not make, even with -Overwrite -Force' {
            $output = Join-Path $TestDrive 'taken'
            New-Item -ItemType Directory (Join-Path $output 'important') | Out-Null
            Set-Content (Join-Path $output 'important/data.txt') 'mine'
            { New-ClinicaDLSyntheticDataset -OutputPath $output -ParticipantCount 2 -SessionCount 1 -VoxelSize 3 } | Should -Throw -ErrorId "OutputExists$Suffix"
            { New-ClinicaDLSyntheticDataset -OutputPath $output -ParticipantCount 2 -SessionCount 1 -VoxelSize 3 -Overwrite -Force } |
                Should -Throw -ErrorId "ForeignContent$Suffix" -ExpectedMessage '*important*'
            Get-Content (Join-Path $output 'important/data.txt') | Should -Be 'mine'
        }

        It 'replaces its own data set with -Overwrite, and refuses it when a foreign file was added' {
            $output = Join-Path $TestDrive 'own'
            New-ClinicaDLSyntheticDataset -OutputPath $output -ParticipantCount 2 -SessionCount 1 -VoxelSize 3 | Out-Null
            New-ClinicaDLSyntheticDataset -OutputPath $output -ParticipantCount 4 -SessionCount 1 -VoxelSize 3 -Overwrite -Confirm:$false | Should -HaveCount 4
            Set-Content (Join-Path $output 'notes.txt') 'mine'
            { New-ClinicaDLSyntheticDataset -OutputPath $output -ParticipantCount 2 -SessionCount 1 -VoxelSize 3 -Overwrite -Force } |
                Should -Throw -ErrorId "ForeignContent$Suffix" -ExpectedMessage '*notes.txt*'
            Get-Content (Join-Path $output 'notes.txt') | Should -Be 'mine'
            (Import-Csv (Join-Path $output 'labels.tsv') -Delimiter "`t").Count | Should -Be 4
        }

        It 'writes nothing with -WhatIf' {
            $output = Join-Path $TestDrive 'whatif'
            New-ClinicaDLSyntheticDataset -OutputPath $output -ParticipantCount 2 -VoxelSize 3 -WhatIf | Should -BeNullOrEmpty
            Test-Path $output | Should -BeFalse
        }

        It 'refuses unknown diagnoses at binding' {
            { New-ClinicaDLSyntheticDataset -OutputPath (Join-Path $TestDrive 'x') -Diagnoses AD, FTD } | Should -Throw -ErrorId 'ParameterArgumentValidationError,ClinicaDL.PowerShell.Commands.NewClinicaDLSyntheticDatasetCommand'
        }
    }
}
