BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $testData = Get-SharedTestData
    $invalidFiles = if ($testData) { @(Get-ChildItem (Join-Path $testData 'nifti/invalid') -File | ForEach-Object { @{ Name = $_.Name } }) } else { @() }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:TestData = Get-SharedTestData
    $script:Nifti = if ($TestData) { Join-Path $TestData 'nifti' } else { $null }
    $script:Expected = if ($TestData) {
        @{} + ((Get-Content (Join-Path $Nifti 'expected.json') -Raw | ConvertFrom-Json -AsHashtable).files |
            Group-Object { $_.file } -AsHashTable)
    }
    $script:ErrorSuffix = ',ClinicaDL.PowerShell.Commands.ReadNiftiImageCommand'

    function Skip-WithoutTestData {
        if (-not $script:TestData) { Set-ItResult -Skipped -Because $SharedTestDataAbsent }
    }
}

Describe 'Read-NiftiImage' {
    Context 'reading files written by the module itself' {
        BeforeAll {
            $script:Written = Join-Path $TestDrive 'written[1].nii.gz'
            $values = [float[]](1..24)
            $matrix = [double[,]]::new(4, 4)
            $matrix[0, 0] = -2; $matrix[1, 1] = 2; $matrix[2, 2] = 3; $matrix[3, 3] = 1; $matrix[0, 3] = 10
            $affine = [ClinicaDL.Core.Imaging.AffineMatrix]::new($matrix)
            [ClinicaDL.Core.Imaging.NiftiWriter]::Write($Written, [int[]](4, 3, 2), $values, $affine, $null)
        }

        It 'reads a name with wildcard characters through -LiteralPath, with shape, voxel size and affine' {
            $image = Read-NiftiImage -LiteralPath $Written
            $image.Shape | Should -Be @(4, 3, 2)
            $image.VoxelSize | Should -Be @(2, 2, 3)
            $image.Affine[0][0] | Should -Be -2
            $image.Affine[0, 3] | Should -Be 10
            $image.Affine[2, 2] | Should -Be 3
            $image.GetData() | Should -Be (1..24)
        }

        It 'binds -LiteralPath from the PSPath of piped file items' {
            $image = Get-Item -LiteralPath $Written | Read-NiftiImage
            $image.Path | Should -Be $Written
            $image.DataType | Should -Be 'Float32'
        }

        It 'shows Path, Shape, VoxelSize and DataType in its default table' {
            $table = Read-NiftiImage -LiteralPath $Written | Format-Table | Out-String -Width 300
            $table | Should -Match 'Path\s+Shape\s+VoxelSize\s+DataType'
            $table | Should -Match '4x3x2\s+2x2x3\s+Float32'
        }

        It 'reports a missing file as PathNotFound and goes on with the others' {
            $images = Read-NiftiImage -Path (Join-Path $TestDrive 'absent.nii'), (Join-Path $TestDrive 'written*') -ErrorVariable failures -ErrorAction SilentlyContinue
            @($images).Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -Be "PathNotFound$ErrorSuffix"
            $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }
    }

    Context 'the reference files read by nibabel' {
        It 'reads every valid file through the pipeline with nibabel''s shape, datatype and affine' {
            Skip-WithoutTestData
            $valid = $Expected.Values | Where-Object valid
            $images = $valid | ForEach-Object { Join-Path $Nifti $_.file } | Read-NiftiImage -HeaderOnly
            @($images).Count | Should -Be @($valid).Count
            foreach ($image in $images) {
                $record = $Expected[[IO.Path]::GetRelativePath($Nifti, $image.Path).Replace('\', '/')]
                $image.Shape | Should -Be $record.shape
                $image.Header.Datatype | Should -Be $record.header.datatype
                foreach ($i in 0..3) {
                    foreach ($j in 0..3) {
                        $image.Affine[$i, $j] | Should -BeGreaterOrEqual ($record.affine[$i][$j] - 1e-6)
                        $image.Affine[$i, $j] | Should -BeLessOrEqual ($record.affine[$i][$j] + 1e-6)
                    }
                }
            }
        }

        It 'gives nibabel''s scaled voxel values from GetData()' {
            Skip-WithoutTestData
            $record = $Expected['nibabel/functional.nii']
            $data = (Read-NiftiImage (Join-Path $Nifti 'nibabel/functional.nii')).GetData()
            foreach ($voxel in $record.voxels) {
                $data[$voxel.flat_index] | Should -Be $voxel.value
            }
        }

        It 'reads headers only with -HeaderOnly and the voxels on demand' {
            Skip-WithoutTestData
            $image = Read-NiftiImage (Join-Path $Nifti 'nifti-rs/27/int16.nii') -HeaderOnly
            $image.IsDataLoaded | Should -BeFalse
            $image.Header.SizeofHdr | Should -Be 348
            $image.Header.Dim | Should -Be @(3, 3, 3, 3, 1, 1, 1, 1)
            $data = $image.GetData()
            $image.IsDataLoaded | Should -BeTrue
            ($data | Sort-Object) | Should -Be (0..26)
            foreach ($voxel in $Expected['nifti-rs/27/int16.nii'].voxels) {
                $data[$voxel.flat_index] | Should -Be $voxel.value
            }
        }

        It 'exposes nibabel''s header field names' {
            Skip-WithoutTestData
            $header = (Read-NiftiImage (Join-Path $Nifti 'nibabel/anatomical.nii') -HeaderOnly).Header
            $header.SclSlope | Should -Be 1
            $header.QformCode | Should -Be 2
            $header.SformCode | Should -Be 2
            $header.QuaternC | Should -Be 1
            $header.QoffsetX | Should -Be 32
            $header.SrowX | Should -Be @(-2, 0, 0, 32)
            $header.Descrip | Should -Be 'spm - 3D normalized'
            $header.Pixdim[0] | Should -Be -1
        }
    }

    Context 'invalid files' {
        It 'rejects <Name> with InvalidNiftiFile, the file named' -ForEach $invalidFiles {
            $path = Join-Path $Nifti "invalid/$Name"
            $result = Read-NiftiImage -LiteralPath $path -ErrorVariable failures -ErrorAction SilentlyContinue
            $result | Should -BeNullOrEmpty
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -Be "InvalidNiftiFile$ErrorSuffix"
            $failures[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $failures[0].TargetObject | Should -Be $path
            $failures[0].Exception.Message | Should -BeLike "*$Name*"
        }

        It 'still reads the valid files piped together with invalid ones' {
            Skip-WithoutTestData
            $paths = @(Get-ChildItem (Join-Path $Nifti 'invalid') -File).FullName + @(Get-ChildItem (Join-Path $Nifti 'nifti-rs/27') -File).FullName
            $images = $paths | Read-NiftiImage -ErrorVariable failures -ErrorAction SilentlyContinue
            @($images).Count | Should -Be 10
            @($failures).Count | Should -Be 6
            $failures | ForEach-Object { $_.FullyQualifiedErrorId | Should -Be "InvalidNiftiFile$ErrorSuffix" }
        }
    }
    Context 'hostile files (fuzzing and file-system traps)' {
        BeforeAll {
            $script:Good = Join-Path $TestDrive 'good.nii'
            [ClinicaDL.Core.Imaging.NiftiWriter]::Write($Good, [int[]](10, 10, 10), [float[]](1..1000), [ClinicaDL.Core.Imaging.AffineMatrix]::Identity, $null)
            $bytes = [IO.File]::ReadAllBytes($Good)
            # An extension whose esize is near 2^31 before a vox_offset of 4e9: once an OutOfMemoryException that ended the pipeline.
            $content = [byte[]]::new(395)
            [Array]::Copy($bytes, $content, 348)
            [BitConverter]::GetBytes([single]4e9).CopyTo($content, 108)
            $content[348] = 1
            [BitConverter]::GetBytes([int]([int]::MaxValue - 7)).CopyTo($content, 352)
            [BitConverter]::GetBytes([int]6).CopyTo($content, 356)
            $script:Hostile = Join-Path $TestDrive 'hostile.nii'
            [IO.File]::WriteAllBytes($Hostile, $content)
        }

        It 'refuses a huge extension with InvalidNiftiFile and reads the next file' {
            $images = Read-NiftiImage -LiteralPath $Hostile, $Good -ErrorVariable failures -ErrorAction SilentlyContinue
            @($images).Count | Should -Be 1
            $images.Path | Should -Be $Good
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -Be "InvalidNiftiFile$ErrorSuffix"
            $failures[0].Exception.Message | Should -BeLike '*hostile.nii*vox_offset 4000000000 is past the end*'
        }

        It 'refuses a FIFO named like an image without blocking, and reads the next file' {
            if ($IsWindows) { Set-ItResult -Skipped -Because 'named pipes are not files on Windows' }
            $fifo = Join-Path $TestDrive 'sub-01_T1w.nii.gz'
            & mkfifo $fifo
            # A child process: were the read to block, only the child would hang.
            $pwsh = [Environment]::GetCommandLineArgs()[0]
            $prefix = @(if ($pwsh -like '*.dll') { $pwsh })
            $child = Start-Process -FilePath ([Environment]::ProcessPath) -PassThru -NoNewWindow -RedirectStandardOutput (Join-Path $TestDrive 'fifo.out') -ArgumentList ($prefix + @(
                '-NoProfile', '-NonInteractive', '-Command',
                "Import-Module '$(Get-ClinicaDLModulePath)'; Read-NiftiImage -LiteralPath '$fifo', '$Good' -ErrorVariable e -ErrorAction SilentlyContinue | ForEach-Object Path; `$e | ForEach-Object { `$_.FullyQualifiedErrorId + ' ' + `$_.Exception.Message }"))
            if (-not $child.WaitForExit(60000)) {
                # Unblock the child's open() so it can end, then fail.
                $writer = [IO.FileStream]::new($fifo, 'Open', 'Write'); $writer.Dispose()
                $child.WaitForExit()
                throw 'Read-NiftiImage blocked on a FIFO'
            }
            $output = Get-Content (Join-Path $TestDrive 'fifo.out')
            $output | Should -Contain $Good
            $output | Where-Object { $_ -like 'InvalidNiftiFile,*' } | Should -BeLike '*sub-01_T1w.nii.gz*not a regular file*'
        }

        It 'refuses an image above -MaxImageBytes, saying how to raise the ceiling, and reads it under a higher one' {
            $result = Read-NiftiImage -LiteralPath $Good -MaxImageBytes 3999 -ErrorVariable failures -ErrorAction SilentlyContinue
            $result | Should -BeNullOrEmpty
            $failures[0].FullyQualifiedErrorId | Should -Be "InvalidNiftiFile$ErrorSuffix"
            $failures[0].Exception.Message | Should -BeLike '*4000 bytes*3999*-MaxImageBytes*CLINICADL_MAX_IMAGE_BYTES*'
            (Read-NiftiImage -LiteralPath $Good -MaxImageBytes 4000).GetData()[999] | Should -Be 1000
        }

        It 'takes the ceiling from CLINICADL_MAX_IMAGE_BYTES and refuses a malformed value with InvalidInput' {
            try {
                $env:CLINICADL_MAX_IMAGE_BYTES = '3K'
                { Read-NiftiImage -LiteralPath $Good -ErrorAction Stop } | Should -Throw -ErrorId "InvalidNiftiFile$ErrorSuffix"
                (Read-NiftiImage -LiteralPath $Good -MaxImageBytes 1MB).Shape | Should -Be @(10, 10, 10)
                $env:CLINICADL_MAX_IMAGE_BYTES = 'lots'
                { Read-NiftiImage -LiteralPath $Good } | Should -Throw -ErrorId "InvalidInput$ErrorSuffix"
            }
            finally {
                Remove-Item Env:CLINICADL_MAX_IMAGE_BYTES -ErrorAction SilentlyContinue
            }
        }
    }
}
