BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Bids = if (Get-SharedTestData) { Join-Path (Get-SharedTestData) 'bids' } else { $null }
    $script:Suffix = ',ClinicaDL.PowerShell.Commands.ImportBidsDatasetCommand'
    function Skip-WithoutTestData { if (-not $script:Bids) { Set-ItResult -Skipped -Because $SharedTestDataAbsent } }
}

Describe 'Import-BidsDataset' {
    Context 'the bids-examples datasets' {
        It 'lists <Name> with the expected participants, sessions and T1w pairs' -ForEach @(
            @{ Name = 'ds114' }, @{ Name = '7t_trt' }, @{ Name = 'ds000117' }, @{ Name = 'synthetic' }, @{ Name = 'pet003' }, @{ Name = 'ds001' }
        ) {
            Skip-WithoutTestData
            $expected = Get-Content (Join-Path $Bids "$Name.expected.json") -Raw | ConvertFrom-Json
            $sessions = Import-BidsDataset (Join-Path $Bids $Name) -ErrorAction SilentlyContinue
            ($sessions.ParticipantId | Select-Object -Unique) | Should -Be $expected.subjects
            $t1w = @($sessions | Where-Object { $_.Images.Suffix -contains 'T1w' })
            $t1w.Count | Should -Be $expected.t1w_pairs.Count
            if (-not $expected.has_sessions) { $sessions.SessionId | Where-Object { $_ } | Should -BeNullOrEmpty }
        }

        It 'turns participants.tsv columns into properties, from CRLF files too' {
            Skip-WithoutTestData
            $sessions = Import-BidsDataset (Join-Path $Bids 'ds114') -ErrorAction SilentlyContinue
            $sessions.Count | Should -Be 20
            ($sessions | Where-Object ParticipantId -eq 'sub-01' | Select-Object -First 1).dominant_hand | Should -Be 'left'
            ($sessions | Group-Object dominant_hand).Name | Should -Be @('left', 'right')
        }

        It 'types numeric columns and keeps sessions.tsv columns per session' {
            Skip-WithoutTestData
            $first = Import-BidsDataset (Join-Path $Bids 'ds001') -ErrorAction SilentlyContinue | Select-Object -First 1
            $first.age | Should -BeOfType [double]
            $session = Import-BidsDataset (Join-Path $Bids '7t_trt') -ErrorAction SilentlyContinue | Where-Object { $_.ParticipantId -eq 'sub-01' -and $_.SessionId -eq 'ses-1' }
            $session.Attributes.Keys | Should -Contain 'age_at_first_scan_years'
        }

        It 'reads pet003, whose participants.tsv has CRLF and no final newline' {
            Skip-WithoutTestData
            $session = Import-BidsDataset (Join-Path $Bids 'pet003') -ErrorAction SilentlyContinue
            $session.sex | Should -Not -BeNullOrEmpty
            $session.sex | Should -Not -Match "`r"
        }

        It 'filters by -Modality' {
            Skip-WithoutTestData
            $sessions = Import-BidsDataset (Join-Path $Bids '7t_trt') -Modality T1w -ErrorAction SilentlyContinue
            $sessions.Count | Should -Be 22
            $sessions.Images.Suffix | Select-Object -Unique | Should -Be 'T1w'
        }

        It 'reports empty image files as one EmptyImageFile error and goes on' {
            Skip-WithoutTestData
            $sessions = Import-BidsDataset (Join-Path $Bids 'ds114') -ErrorVariable problems -ErrorAction SilentlyContinue
            $sessions.Count | Should -Be 20
            @($problems | Where-Object FullyQualifiedErrorId -eq "EmptyImageFile$Suffix").Count | Should -Be 1
        }
    }

    Context 'a dataset with defects' {
        BeforeAll {
            $script:Root = Join-Path $TestDrive 'defects'
            New-Item -ItemType Directory -Force (Join-Path $Root 'sub-01/ses-M000/anat'), (Join-Path $Root 'sub-02/ses-M000/anat'), (Join-Path $Root 'derivatives/sub-09/ses-M000/anat') | Out-Null
            Set-Content (Join-Path $Root 'sub-01/ses-M000/anat/sub-01_ses-M000_T1w.nii.gz') 'not empty'
            Set-Content (Join-Path $Root 'sub-02/ses-M000/anat/sub-02_ses-M000_run-01_T1w.nii.gz') 'not empty'
            Set-Content (Join-Path $Root 'sub-02/ses-M000/anat/sub-02_ses-M000_run-01_T1w.json') '{}'
            [IO.File]::WriteAllText((Join-Path $Root 'participants.tsv'), "participant_id`tage`nsub-01`t71`nsub-05`t60")
        }

        It 'warns with stable ErrorIds for a missing description, unlisted subjects and listed participants without folder' {
            $sessions = Import-BidsDataset -LiteralPath $Root -ErrorVariable problems -ErrorAction SilentlyContinue
            $sessions.ParticipantId | Should -Be @('sub-01', 'sub-02')
            $ids = $problems.FullyQualifiedErrorId
            $ids | Should -Contain "MissingDatasetDescription$Suffix"
            $ids | Should -Contain "SubjectNotInParticipantsTsv$Suffix"
            $ids | Should -Contain "ParticipantWithoutFolder$Suffix"
            ($problems | Where-Object FullyQualifiedErrorId -like 'ParticipantWithoutFolder*').Exception.Message | Should -Match 'sub-05'
        }

        It 'gives images their entities and sidecar' {
            $image = (Import-BidsDataset -LiteralPath $Root -ErrorAction SilentlyContinue | Where-Object ParticipantId -eq 'sub-02').Images[0]
            $image.Entities['run'] | Should -Be '01'
            $image.SidecarPath | Should -BeLike '*sub-02_ses-M000_run-01_T1w.json'
            $image.Datatype | Should -Be 'anat'
        }

        It 'reports a CAPS folder with NotBidsDataset, saying it looks like a CAPS' {
            $caps = Join-Path $TestDrive 'caps'
            New-Item -ItemType Directory -Force (Join-Path $caps 'subjects/sub-001/ses-M000/t1_linear') | Out-Null
            Set-Content (Join-Path $caps 'dataset_description.json') '{"Name": "caps", "DatasetType": "derivative"}'
            Import-BidsDataset $caps -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $problems.Count | Should -Be 1
            $problems[0].FullyQualifiedErrorId | Should -Be "NotBidsDataset$Suffix"
            $problems[0].Exception.Message | Should -BeLike '*is not a BIDS dataset: it has no sub-* folder. It looks like a CAPS folder*read it with Import-CapsDataset.'
        }

        It 'reports a folder without subjects or description with NotBidsDataset' {
            $empty = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'empty')
            Import-BidsDataset $empty -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $problems[0].FullyQualifiedErrorId | Should -Be "NotBidsDataset$Suffix"
            $problems[0].Exception.Message | Should -BeLike '*has no sub-* folder and no dataset_description.json.'
        }

        It 'reports each -Modality no image has with DatasetItemNotFound, listing those present, and lists the others' {
            $bids = Join-Path $TestDrive 'modality'
            New-TestBidsDataset -Path $bids -Participants 2
            $sessions = Import-BidsDataset $bids -Modality T1w, FLAIR, pet -ErrorVariable problems -ErrorAction SilentlyContinue
            $sessions.Count | Should -Be 4
            $problems.FullyQualifiedErrorId | Should -Be @("DatasetItemNotFound$Suffix", "DatasetItemNotFound$Suffix")
            $problems[0].Exception.Message | Should -BeLike "*has no modality 'FLAIR' (it has: T1w (4 sessions))."
            $problems[0].TargetObject | Should -Be 'FLAIR'
        }

        It 'reports a folder that does not exist as PathNotFound' {
            Import-BidsDataset (Join-Path $TestDrive 'nowhere') -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $problems[0].FullyQualifiedErrorId | Should -Be "PathNotFound$Suffix"
        }

        It 'shows ParticipantId, SessionId, Modalities and Images in its table' {
            $table = Import-BidsDataset -LiteralPath $Root -ErrorAction SilentlyContinue | Format-Table | Out-String -Width 200
            $table | Should -Match 'ParticipantId\s+SessionId\s+Modalities\s+Images'
        }
    }
    Context 'a dataset with file-system traps' {
        BeforeAll {
            $script:Trapped = Join-Path $TestDrive 'trapped'
            New-TestBidsDataset -Path $Trapped -Participants 4 -Sessions 'ses-M000'
            # A repeated column makes sub-002's sessions.tsv unreadable; sub-003's ses-M012 is a link to its ses-M000.
            Set-Content (Join-Path $Trapped 'sub-002/sub-002_sessions.tsv') "session_id`tage`tage`nses-M000`t70`t71"
            New-Item -ItemType SymbolicLink -Path (Join-Path $Trapped 'sub-003/ses-M012') -Target (Join-Path $Trapped 'sub-003/ses-M000') | Out-Null
        }

        It 'reports a subject it cannot read as UnreadableSubject and lists the others' {
            $sessions = Import-BidsDataset -LiteralPath $Trapped -ErrorVariable failures -ErrorAction SilentlyContinue
            $sessions.ParticipantId | Should -Not -Contain 'sub-002'
            @($sessions | Where-Object ParticipantId -EQ 'sub-004').Count | Should -Be 1
            $unreadable = $failures | Where-Object FullyQualifiedErrorId -Like 'UnreadableSubject,*'
            @($unreadable).Count | Should -Be 1
            $unreadable.Exception.Message | Should -BeLike "*sub-002_sessions.tsv*'age'*"
        }

        It 'reports a session linked to another as DuplicateFolder and lists it once' {
            $sessions = Import-BidsDataset -LiteralPath $Trapped -ErrorVariable failures -ErrorAction SilentlyContinue
            @($sessions | Where-Object ParticipantId -EQ 'sub-003').SessionId | Should -Be @('ses-M000')
            ($failures | Where-Object FullyQualifiedErrorId -Like 'DuplicateFolder,*').TargetObject | Should -Be (Join-Path $Trapped 'sub-003/ses-M012')
        }
    }
}
