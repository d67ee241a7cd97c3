BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Bids = if (Get-SharedTestData) { Join-Path (Get-SharedTestData) 'bids' } else { $null }
    function Skip-WithoutTestData { if (-not $script:Bids) { Set-ItResult -Skipped -Because $SharedTestDataAbsent } }
    # A writable copy of ds001 to break.
    function Copy-Dataset([string] $Name) {
        $copy = Join-Path $TestDrive $Name
        Copy-Item (Join-Path $Bids 'ds001') $copy -Recurse
        Get-ChildItem $copy -Recurse -File | ForEach-Object { $_.IsReadOnly = $false }
        return $copy
    }
}

Describe 'Test-BidsDataset' {
    Context 'the bids-examples datasets' {
        It 'finds <Name> valid' -ForEach @(
            @{ Name = '7t_trt' }, @{ Name = 'ds000117' }, @{ Name = 'ds001' }, @{ Name = 'ds114' }, @{ Name = 'pet003' }, @{ Name = 'pet005' }, @{ Name = 'qmri_mp2rage' }, @{ Name = 'synthetic' }
        ) {
            Skip-WithoutTestData
            $result = Test-BidsDataset (Join-Path $Bids $Name)
            ($result.Issues | Where-Object Severity -eq Error | ForEach-Object Message) -join "`n" | Should -BeNullOrEmpty
            $result.IsValid | Should -BeTrue
            $result.SubjectCount | Should -BeGreaterThan 0
        }

        It 'does not read images unless -CheckImages, which finds the empty placeholders' {
            Skip-WithoutTestData
            $result = Test-BidsDataset (Join-Path $Bids 'pet003') -CheckImages
            $result.IsValid | Should -BeFalse
            $result.Issues.Code | Select-Object -Unique | Should -Be 'InvalidImage'
        }
    }

    Context 'broken copies' {
        It 'finds <Case> (<Code>)' -ForEach @(
            @{ Case = 'no dataset_description.json'; Code = 'MissingDatasetDescription'; Break = { param($d) Remove-Item (Join-Path $d 'dataset_description.json') } }
            @{ Case = 'a description without BIDSVersion'; Code = 'InvalidDatasetDescription'; Break = { param($d) '{"Name": "x"}' | Set-Content (Join-Path $d 'dataset_description.json') } }
            @{ Case = 'a subject folder participants.tsv does not list'; Code = 'SubjectNotInParticipantsTsv'; Break = { param($d) Copy-Item (Join-Path $d 'sub-01') (Join-Path $d 'sub-99') -Recurse; Get-ChildItem (Join-Path $d 'sub-99') -Recurse -File | Rename-Item -NewName { $_.Name -replace 'sub-01', 'sub-99' } } }
            @{ Case = 'an unknown entity'; Code = 'UnknownEntity'; Break = { param($d) Rename-Item (Join-Path $d 'sub-01/anat/sub-01_T1w.nii.gz') 'sub-01_foo-1_T1w.nii.gz' } }
            @{ Case = 'entities out of order'; Code = 'EntityOrder'; Break = { param($d) Rename-Item (Join-Path $d 'sub-01/anat/sub-01_T1w.nii.gz') 'sub-01_run-1_acq-x_T1w.nii.gz' } }
            @{ Case = 'an unknown suffix'; Code = 'UnknownSuffix'; Break = { param($d) Rename-Item (Join-Path $d 'sub-01/anat/sub-01_T1w.nii.gz') 'sub-01_T1weighted.nii.gz' } }
            @{ Case = 'a file of another subject'; Code = 'InvalidFileName'; Break = { param($d) Rename-Item (Join-Path $d 'sub-01/anat/sub-01_T1w.nii.gz') 'sub-02_T1w.nii.gz' } }
            @{ Case = 'an unreadable sidecar'; Code = 'UnreadableSidecar'; Break = { param($d) '{ not json' | Set-Content (Join-Path $d 'sub-01/anat/sub-01_T1w.json') } }
            @{ Case = 'an unknown datatype folder'; Code = 'UnknownDatatype'; Break = { param($d) Rename-Item (Join-Path $d 'sub-01/anat') 'anatomy' } }
            @{ Case = 'a stray top-level folder'; Code = 'NotBidsPath'; Break = { param($d) New-Item -ItemType Directory (Join-Path $d 'scratch') | Out-Null } }
            @{ Case = 'sessions and datatype folders in one subject'; Code = 'MixedSessions'; Break = { param($d) New-Item -ItemType Directory -Force (Join-Path $d 'sub-01/ses-01') | Out-Null; Copy-Item (Join-Path $d 'sub-01/anat') (Join-Path $d 'sub-01/ses-01/anat') -Recurse } }
        ) {
            Skip-WithoutTestData
            $copy = Copy-Dataset ([Guid]::NewGuid().ToString('N'))
            & $Break $copy
            $result = Test-BidsDataset $copy
            $result.IsValid | Should -BeFalse
            $result.Issues.Code | Should -Contain $Code
        }

        It 'leaves what .bidsignore lists alone' {
            Skip-WithoutTestData
            $copy = Copy-Dataset 'ignored'
            New-Item -ItemType Directory (Join-Path $copy 'scratch') | Out-Null
            'scratch/' | Set-Content (Join-Path $copy '.bidsignore')
            (Test-BidsDataset $copy).IsValid | Should -BeTrue
        }

        It 'reports a missing folder as PathNotFound' {
            Test-BidsDataset (Join-Path $TestDrive 'absent') -ErrorVariable problems -ErrorAction SilentlyContinue
            $problems[0].FullyQualifiedErrorId | Should -Be 'PathNotFound,ClinicaDL.PowerShell.Commands.TestBidsDatasetCommand'
        }
    }
}
