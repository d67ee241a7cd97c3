BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Shared = Get-SharedTestData
    $script:Orientation = if ($Shared) { Join-Path $Shared 'dicom/dcm_qa_orientation' } else { $null }
    $script:Suffix = ',ClinicaDL.PowerShell.Commands.ConvertToBidsDatasetCommand'
    $script:HasDcm2niix = [bool](Get-Command dcm2niix -ErrorAction Ignore)
    function Skip-WithoutTestData { if (-not $script:Shared) { Set-ItResult -Skipped -Because $SharedTestDataAbsent } }
    function Skip-WithoutDicom {
        if (-not $script:Orientation) { Set-ItResult -Skipped -Because $SharedTestDataAbsent }
        elseif (-not $script:HasDcm2niix) { Set-ItResult -Skipped -Because 'dcm2niix is not installed (Debian/Ubuntu: apt-get install dcm2niix); the DICOM conversions are skipped' }
    }
    # The rules that tell the orientation series apart by their description (wildcards and a regular expression).
    $script:OrientationRules = @(
        @{ id = 'axial'; datatype = 'func'; suffix = 'bold'; entities = @{ task = 'rest'; acq = 'axial' }; criteria = @{ SeriesDescription = 'ax_*' } }
        @{ id = 'coronal'; datatype = 'func'; suffix = 'bold'; entities = @{ task = 'rest'; acq = 'coronal' }; criteria = @{ SeriesDescription = 'cor_*'; EchoTime = @{ btw = 0.02, 0.04 } } }
        @{ id = 'sagittal'; datatype = 'func'; suffix = 'bold'; entities = @{ task = 'rest'; acq = 'sagittal' }; criteria = @{ SeriesDescription = @{ regex = 'sag_' }; Dimensions = @(64, 64, '*', 2) } }
    )
    # Loose NIfTI and ANALYZE inputs (TestDrive files made in a Context's BeforeAll go at its end, so these are made here).
    if ($Shared) {
        $script:Loose = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'loose')
        Copy-Item (Join-Path $Shared 'nifti/nibabel/anatomical.nii') (Join-Path $Loose 'anatomical.nii')
        # An ANALYZE 7.5 pair: a NIfTI-1 header without its magic, and the voxels in their own file.
        $nifti = [IO.File]::ReadAllBytes((Join-Path $Shared 'nifti/nifti-rs/27/int16.nii'))
        $header = $nifti[0..347]; $header[344] = 0; $header[345] = 0; $header[346] = 0
        # ANALYZE's vox_offset is where the voxels start in the .img: 0.
        $header[108] = 0; $header[109] = 0; $header[110] = 0; $header[111] = 0
        [IO.File]::WriteAllBytes((Join-Path $Loose 'phantom.hdr'), [byte[]]$header)
        [IO.File]::WriteAllBytes((Join-Path $Loose 'phantom.img'), [byte[]]$nifti[352..($nifti.Length - 1)])
        $script:LooseRules = @(
            @{ datatype = 'anat'; suffix = 'T1w'; criteria = @{ SidecarFilename = 'anatomical*' } }
            @{ datatype = 'anat'; suffix = 'T2w'; criteria = @{ Dimensions = @(3, 3, 3) } }
        )
    }
    # A copy of one series (two files) whose bytes a test may change.
    function Copy-Series([string] $Name, [string] $Destination) {
        New-Item -ItemType Directory -Force $Destination | Out-Null
        Get-ChildItem (Join-Path $Orientation "In/Orientation/ax/$Name") -Filter 'MR.*' | Copy-Item -Destination $Destination
        Get-ChildItem $Destination | ForEach-Object { $_.IsReadOnly = $false }
    }
    # Replaces bytes in place (same length), as a PACS export with other values would have them.
    function Set-Bytes([string] $Path, [string] $Old, [string] $New) {
        $bytes = [IO.File]::ReadAllBytes($Path)
        $text = [Text.Encoding]::Latin1.GetString($bytes)
        $at = $text.IndexOf($Old)
        $at | Should -BeGreaterThan 0
        [Text.Encoding]::Latin1.GetBytes($New).CopyTo($bytes, $at)
        [IO.File]::WriteAllBytes($Path, $bytes)
    }
    # Every byte the dataset holds, gzip members decompressed.
    function Get-DatasetText([string] $Path) {
        foreach ($file in Get-ChildItem $Path -Recurse -File -Force) {
            $bytes = [IO.File]::ReadAllBytes($file.FullName)
            if ($file.Name -like '*.gz') {
                $stream = [IO.Compression.GZipStream]::new([IO.MemoryStream]::new($bytes), [IO.Compression.CompressionMode]::Decompress)
                $memory = [IO.MemoryStream]::new(); $stream.CopyTo($memory); $bytes = $memory.ToArray()
            }
            [Text.Encoding]::Latin1.GetString($bytes)
        }
    }
}

Describe 'ConvertTo-BidsDataset' {
    Context 'the dcm_qa_orientation series' {
        BeforeAll {
            if ($Orientation -and $HasDcm2niix) {
                $script:Bids = Join-Path $TestDrive 'orientation'
                $script:Items = ConvertTo-BidsDataset -Path (Join-Path $Orientation 'In') -OutputPath $Bids -Rules $OrientationRules `
                    -ParticipantId 01 -SessionId M000 -WarningVariable script:Warnings -WarningAction SilentlyContinue
                $script:Converted = @($Items | Where-Object Status -eq Converted)
            }
        }

        It 'gives the axial, coronal and sagittal runs distinct BIDS names' {
            Skip-WithoutDicom
            $Converted.Count | Should -Be 19
            @($Converted.OutputPath | Select-Object -Unique).Count | Should -Be 19
            @($Converted | Where-Object Rule -eq axial).Count | Should -Be 7
            @($Converted | Where-Object Rule -eq coronal).Count | Should -Be 6
            @($Converted | Where-Object Rule -eq sagittal).Count | Should -Be 6
            foreach ($item in $Converted) {
                Split-Path -Leaf $item.OutputPath | Should -Match "^sub-01_ses-M000_task-rest_acq-$($item.Rule)_run-0\d_bold\.nii\.gz$"
            }
            # Runs follow the series numbers.
            $axial = $Converted | Where-Object Rule -eq axial | Sort-Object SeriesNumber
            (Split-Path -Leaf $axial[0].OutputPath) | Should -Match 'run-01'
            (Split-Path -Leaf $axial[-1].OutputPath) | Should -Match 'run-07'
        }

        It "equals dcm2niix's reference images voxel for voxel and in affine" {
            Skip-WithoutDicom
            foreach ($item in $Converted) {
                $ref = Read-NiftiImage (Join-Path $Orientation "Ref/$($item.SeriesDescription)_$($item.SeriesNumber).nii")
                $mine = Read-NiftiImage $item.OutputPath
                "$($mine.Shape)" | Should -Be "$($ref.Shape)"
                "$($item.Dimensions)" | Should -Be "$($ref.Shape)"
                $mine.Affine.ToString() | Should -Be $ref.Affine.ToString()
                [Linq.Enumerable]::SequenceEqual([double[]]$mine.GetData(), [double[]]$ref.GetData()) | Should -BeTrue -Because $item.OutputPath
            }
        }

        It 'reports the series no rule placed as one warning, with why, and goes on' {
            Skip-WithoutDicom
            $unmatched = @($Items | Where-Object Status -eq Unmatched)
            $unmatched.SeriesDescription | Should -Contain 'fMRI_MB_asc'
            ($unmatched | Where-Object SeriesDescription -eq 'fMRI_MB_asc').Reason | Should -Match "does not match 'ax_\*'"
            ($Warnings -join "`n") | Should -Match 'placed by no rule'
            ($Warnings -join "`n") | Should -Match 'fMRI_MB_int'
        }

        It 'writes dataset_description.json, participants.tsv, sessions.tsv with acq_time, README, .bidsignore and a log' {
            Skip-WithoutDicom
            $description = Get-Content (Join-Path $Bids 'dataset_description.json') -Raw | ConvertFrom-Json
            $description.BIDSVersion | Should -Not -BeNullOrEmpty
            $description.GeneratedBy.Name | Should -Contain 'dcm2niix'
            ($description.GeneratedBy | Where-Object Name -eq dcm2niix).Version | Should -Match '^v1\.0\.'
            $participants = Import-Csv (Join-Path $Bids 'participants.tsv') -Delimiter "`t"
            $participants.participant_id | Should -Be 'sub-01'
            $participants.sex | Should -Be 'M'
            $sessions = Import-Csv (Join-Path $Bids 'sub-01/sub-01_sessions.tsv') -Delimiter "`t"
            $sessions.session_id | Should -Be 'ses-M000'
            $sessions.acq_time | Should -Be '2014-03-10T13:38:34'
            Join-Path $Bids 'README' | Should -Exist
            Get-Content (Join-Path $Bids '.bidsignore') | Should -Contain 'logs/'
            @(Get-ChildItem (Join-Path $Bids 'logs') -Filter '*.log').Count | Should -Be 1
        }

        It 'makes a dataset Import-BidsDataset and Test-BidsDataset read' {
            Skip-WithoutDicom
            $session = Import-BidsDataset $Bids
            $session.ParticipantId | Should -Be 'sub-01'
            $session.Images.Count | Should -Be 19
            (Test-BidsDataset $Bids).IsValid | Should -BeTrue
        }
    }

    Context 'anonymisation' {
        It 'never lets a patient name planted in the DICOM header reach the dataset' {
            Skip-WithoutDicom
            $series = Join-Path $TestDrive 'named/axasc35'
            Copy-Series 'axasc35' $series
            Get-ChildItem $series | ForEach-Object { Set-Bytes $_.FullName 'stc_test' 'DOE^JANE' }
            $bids = Join-Path $TestDrive 'named-bids'
            $item = ConvertTo-BidsDataset -Path $series -OutputPath $bids -Rules @{ datatype = 'func'; suffix = 'bold'; entities = 'task-rest'; criteria = @{ ProtocolName = 'ax_asc_35sl' } } `
                -ParticipantMap @{ PatientID = 'crlab'; StudyDate = '20140310'; participant_id = 'sub-P1'; session_id = 'ses-1' }
            $item.Status | Should -Be Converted
            $item.ParticipantId | Should -Be 'sub-P1'
            $text = (Get-DatasetText $bids) -join "`n"
            $text | Should -Not -Match 'DOE'
            $text | Should -Not -Match 'JANE'
            $text | Should -Not -Match 'crlab'
            $text | Should -Not -Match '1980-07-07|19800707'
            $sidecar = Get-Content ($item.OutputPath -replace '\.nii\.gz$', '.json') -Raw | ConvertFrom-Json
            $sidecar.PSObject.Properties.Name | Should -Not -Contain 'PatientName'
            $sidecar.PSObject.Properties.Name | Should -Not -Contain 'SeriesInstanceUID'
            $sidecar.TaskName | Should -Be 'rest'
        }

        It 'removes identifying fields from the sidecar of a NIfTI input, and any field holding the name' {
            Skip-WithoutTestData
            $folder = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'named-nifti')
            Copy-Item (Join-Path $Shared 'nifti/nibabel/anatomical.nii') (Join-Path $folder 't1.nii')
            @{ PatientName = 'Doe^Jane'; PatientBirthDate = '1970-01-01'; SeriesDescription = 'T1 Jane'; RepetitionTime = 2.3 } | ConvertTo-Json |
                Set-Content (Join-Path $folder 't1.json')
            $item = ConvertTo-BidsDataset -Path (Join-Path $folder 't1.nii') -OutputPath (Join-Path $TestDrive 'named-nifti-bids') `
                -Rules @{ datatype = 'anat'; suffix = 'T1w'; criteria = @{ RepetitionTime = @{ gt = 2 } } } -ParticipantId 01
            $item.Status | Should -Be Converted
            $item.RemovedFields | Sort-Object | Should -Be @('PatientBirthDate', 'PatientName', 'SeriesDescription')
            (Get-DatasetText (Join-Path $TestDrive 'named-nifti-bids')) -join "`n" | Should -Not -Match 'Jane'
        }
    }

    Context 'NIfTI and ANALYZE inputs' {
        It 'copies a NIfTI unchanged and rewrites ANALYZE as NIfTI-1 with the same values and affine' {
            Skip-WithoutTestData
            $bids = Join-Path $TestDrive 'loose-bids'
            $items = Get-ChildItem $Loose | ConvertTo-BidsDataset -OutputPath $bids -Rules $LooseRules -ParticipantId 01 -SessionId 01
            $items.Count | Should -Be 2
            $nifti = $items | Where-Object SourceFormat -eq NIfTI
            $nifti.OutputPath | Should -BeLike '*sub-01_ses-01_T1w.nii'
            (Get-FileHash $nifti.OutputPath).Hash | Should -Be (Get-FileHash (Join-Path $Loose 'anatomical.nii')).Hash
            $analyze = $items | Where-Object SourceFormat -eq ANALYZE
            $analyze.OutputPath | Should -BeLike '*sub-01_ses-01_T2w.nii.gz'
            $converted = Read-NiftiImage $analyze.OutputPath
            $original = Read-NiftiImage (Join-Path $Loose 'phantom.hdr')
            $converted.Header.NiftiVersion | Should -Be 1
            $converted.GetData() | Should -Be $original.GetData()
            $converted.Affine.ToString() | Should -Be $original.Affine.ToString()
            (Test-BidsDataset $bids).IsValid | Should -BeTrue
        }
    }

    Context 'an existing dataset' {
        It 'gains a new session, keeps its rows, refuses to overwrite without -Force and replaces with it' {
            Skip-WithoutTestData
            $bids = Join-Path $TestDrive 'growing'
            $rules = @{ datatype = 'anat'; suffix = 'T1w'; criteria = @{ SidecarFilename = 'anatomical*' } }
            $source = Join-Path $Loose 'anatomical.nii'
            ConvertTo-BidsDataset $source $bids $rules -ParticipantId 01 -SessionId M000 | Out-Null
            $second = ConvertTo-BidsDataset $source $bids $rules -ParticipantId 01 -SessionId M012
            $second.Status | Should -Be Converted
            $sessions = Import-Csv (Join-Path $bids 'sub-01/sub-01_sessions.tsv') -Delimiter "`t"
            $sessions.session_id | Should -Be @('ses-M000', 'ses-M012')
            @(Import-Csv (Join-Path $bids 'participants.tsv') -Delimiter "`t").Count | Should -Be 1
            (Import-BidsDataset $bids).SessionId | Should -Be @('ses-M000', 'ses-M012')
            (Test-BidsDataset $bids).IsValid | Should -BeTrue

            $again = ConvertTo-BidsDataset $source $bids $rules -ParticipantId 01 -SessionId M012 -ErrorVariable problems -ErrorAction SilentlyContinue
            $again.Status | Should -Be Exists
            $problems[0].FullyQualifiedErrorId | Should -Be "OutputExists$Suffix"
            (ConvertTo-BidsDataset $source $bids $rules -ParticipantId 01 -SessionId M012 -Force).Status | Should -Be Converted
        }

        It 'writes nothing under -WhatIf' {
            Skip-WithoutTestData
            $bids = Join-Path $TestDrive 'whatif'
            $item = ConvertTo-BidsDataset (Join-Path $Loose 'anatomical.nii') $bids $LooseRules -ParticipantId 01 -WhatIf
            $item.Status | Should -Be Skipped
            Test-Path (Join-Path $bids 'sub-01') | Should -BeFalse
        }
    }

    Context 'errors' {
        It 'says how to install dcm2niix when it is missing, and converts the other inputs' {
            Skip-WithoutTestData
            $items = ConvertTo-BidsDataset -Path (Join-Path $Orientation 'In/Orientation/ax/axasc35'), (Join-Path $Loose 'anatomical.nii') -OutputPath (Join-Path $TestDrive 'no-dcm2niix') `
                -Rules $LooseRules -ParticipantId 01 -Dcm2niixPath (Join-Path $TestDrive 'nowhere') -ErrorVariable problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $missing = @($problems | Where-Object FullyQualifiedErrorId -eq "Dcm2niixNotFound$Suffix")
            $missing.Count | Should -Be 1
            $missing[0].FullyQualifiedErrorId | Should -Be "Dcm2niixNotFound$Suffix"
            $missing[0].Exception.Message | Should -Match 'apt-get install dcm2niix'
            $missing[0].Exception.Message | Should -Match 'brew install dcm2niix'
            $missing[0].Exception.Message | Should -Match 'Windows'
            ($items | Where-Object SourceFormat -eq DICOM).Status | Should -Be Failed
            ($items | Where-Object Source -like '*anatomical.nii').Status | Should -Be Converted
        }

        It 'reports a folder without DICOM as NoDicomFound' {
            $empty = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'no-dicom')
            Set-Content (Join-Path $empty 'notes.txt') 'not an image'
            ConvertTo-BidsDataset $empty (Join-Path $TestDrive 'no-dicom-bids') @{ datatype = 'anat'; suffix = 'T1w'; criteria = @{ x = 1 } } -ParticipantId 01 -ErrorVariable problems -ErrorAction SilentlyContinue
            $problems[0].FullyQualifiedErrorId | Should -Be "NoDicomFound$Suffix"
            $problems[0].TargetObject | Should -Be $empty.FullName
        }

        It 'reports a truncated DICOM file and a file with a DICOM marker and garbage as CorruptDicomFile, and converts the other series' {
            Skip-WithoutDicom
            $root = Join-Path $TestDrive 'corrupt'
            Copy-Series 'axasc35' (Join-Path $root 'truncated')
            Copy-Series 'axdesc35' (Join-Path $root 'good')
            $victim = Get-ChildItem (Join-Path $root 'truncated') | Select-Object -First 1
            $bytes = [IO.File]::ReadAllBytes($victim.FullName)
            [IO.File]::WriteAllBytes($victim.FullName, [byte[]]$bytes[0..19999])
            $garbage = [byte[]]::new(400); [Text.Encoding]::ASCII.GetBytes('DICM').CopyTo($garbage, 128); $garbage[140] = 0xFF
            [IO.File]::WriteAllBytes((Join-Path $root 'good/garbage.dcm'), $garbage)
            $items = ConvertTo-BidsDataset $root (Join-Path $TestDrive 'corrupt-bids') $OrientationRules -ParticipantId 01 -ErrorVariable problems -ErrorAction SilentlyContinue
            $corrupt = @($problems | Where-Object FullyQualifiedErrorId -eq "CorruptDicomFile$Suffix")
            $corrupt.Count | Should -Be 2
            $corrupt[0].FullyQualifiedErrorId | Should -Be "CorruptDicomFile$Suffix"
            $corrupt.TargetObject | Should -Contain $victim.FullName
            $corrupt.TargetObject | Should -Contain (Join-Path $root 'good/garbage.dcm')
            ($items | Where-Object SeriesDescription -eq 'ax_asc_35sl').Status | Should -Be Failed
            ($items | Where-Object SeriesDescription -eq 'ax_desc_35sl').Status | Should -Be Converted
        }

        It 'reports a series dcm2niix refuses as Dcm2niixFailed, and converts the others' {
            Skip-WithoutDicom
            $root = Join-Path $TestDrive 'refused'
            Copy-Series 'axasc35' (Join-Path $root 'unsupported')
            Copy-Series 'axdesc35' (Join-Path $root 'good')
            # A transfer syntax dcm2niix does not know: the header stays readable, the pixels are refused.
            Get-ChildItem (Join-Path $root 'unsupported') | ForEach-Object { Set-Bytes $_.FullName "1.2.840.10008.1.2.1`0" "1.2.840.10008.1.2.9`0" }
            $items = ConvertTo-BidsDataset $root (Join-Path $TestDrive 'refused-bids') $OrientationRules -ParticipantId 01 -ErrorVariable problems -ErrorAction SilentlyContinue
            $refused = @($problems | Where-Object FullyQualifiedErrorId -eq "Dcm2niixFailed$Suffix")
            $refused.Count | Should -Be 1
            $refused[0].FullyQualifiedErrorId | Should -Be "Dcm2niixFailed$Suffix"
            $refused[0].TargetObject | Should -Be (Join-Path $root 'unsupported')
            $refused[0].Exception.Message | Should -Match 'transfer syntax'
            ($items | Where-Object SeriesDescription -eq 'ax_desc_35sl').Status | Should -Be Converted
        }

        It 'refuses rules with <Case> as InvalidConversionRules' -ForEach @(
            @{ Case = 'an unknown field'; Rule = @{ datatype = 'anat'; suffix = 'T1w'; criteria = @{ a = 1 }; dataype = 'x' }; Pattern = "field 'dataype'" }
            @{ Case = 'an invalid entity'; Rule = @{ datatype = 'anat'; suffix = 'T1w'; criteria = @{ a = 1 }; entities = @{ acquisition = 'x' } }; Pattern = "'acquisition' is not a BIDS entity" }
            @{ Case = 'an invalid label'; Rule = @{ datatype = 'anat'; suffix = 'T1w'; criteria = @{ a = 1 }; entities = 'acq-high.res' }; Pattern = "'high.res' of acq is not a BIDS label" }
            @{ Case = 'a suffix of another datatype'; Rule = @{ datatype = 'anat'; suffix = 'bold'; criteria = @{ a = 1 } }; Pattern = "'bold' is not a BIDS suffix of anat" }
            @{ Case = 'an unknown operator'; Rule = @{ datatype = 'anat'; suffix = 'T1w'; criteria = @{ EchoTime = @{ between = 1, 2 } } }; Pattern = "'between' on EchoTime is not an operator" }
        ) {
            { ConvertTo-BidsDataset $TestDrive (Join-Path $TestDrive 'never') $Rule -ParticipantId 01 -ErrorAction Stop } |
                Should -Throw -ErrorId "InvalidConversionRules$Suffix" -ExpectedMessage "*$Pattern*"
        }

        It 'names the rule file whose field it does not know' {
            $file = Join-Path $TestDrive 'dcm2bids.json'
            '{ "descriptions": [ { "datatype": "anat", "suffix": "T1w", "criteria": { "SeriesDescription": "*T1*" } } ], "post_op": [] }' | Set-Content $file
            { ConvertTo-BidsDataset $TestDrive (Join-Path $TestDrive 'never') -Rules $file -ParticipantId 01 -ErrorAction Stop } |
                Should -Throw -ErrorId "InvalidConversionRules$Suffix" -ExpectedMessage "*$file*post_op*"
        }

        It 'refuses an output inside the input' {
            $scanner = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'scanner')
            { ConvertTo-BidsDataset $scanner (Join-Path $scanner 'bids') @{ datatype = 'anat'; suffix = 'T1w'; criteria = @{ a = 1 } } -ParticipantId 01 -ErrorAction Stop } |
                Should -Throw -ErrorId "OutputInsideInput$Suffix"
        }

        It 'reports a series whose patient no mapping names as ParticipantNotMapped' {
            Skip-WithoutDicom
            $items = ConvertTo-BidsDataset (Join-Path $Orientation 'In/Orientation/ax/axasc35') (Join-Path $TestDrive 'unmapped') $OrientationRules `
                -ParticipantMap @{ PatientID = 'someone-else'; participant_id = '02' } -ErrorVariable problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            ($items | Where-Object SourceFormat -eq DICOM).Status | Should -Be Failed
            ($problems | Where-Object FullyQualifiedErrorId -like 'ParticipantNotMapped*')[0].FullyQualifiedErrorId | Should -Be "ParticipantNotMapped$Suffix"
        }
    }
}
