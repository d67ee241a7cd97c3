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
