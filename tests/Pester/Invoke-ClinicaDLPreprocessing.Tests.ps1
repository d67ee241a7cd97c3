# t1-linear on raw synthetic scans whose answer is known: New-ClinicaDLSyntheticDataset -Raw writes the phantoms in
# scanner space with the true template-to-native transform of each session (transforms.tsv) and the template they
# were drawn from. One CAPS is made in BeforeAll for the whole file (TestDrive files made inside a Context are gone
# when it ends).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Suffix = ',ClinicaDL.PowerShell.Commands.InvokeClinicaDLPreprocessingCommand'
    $script:Raw = Join-Path $TestDrive 'raw'
    $script:Sessions = New-ClinicaDLSyntheticDataset -OutputPath $Raw -ParticipantCount 4 -SessionCount 1 -VoxelSize 3 -Raw -Seed 3
    $script:Bids = Join-Path $Raw 'bids'
    $script:Template = Join-Path $Raw 'template/tpl-ClinicaDLPhantom_res-3_T1w.nii.gz'
    $script:Caps = Join-Path $TestDrive 'caps'
    $script:Results = @(Invoke-ClinicaDLPreprocessing -BidsPath $Bids -CapsPath $Caps -TemplatePath $Template -ErrorVariable script:FirstErrors)
    $script:Space = 'space-MNI152NLin2009cSym'

    # Every file under a folder with its write time and hash, to show a run left it as it was.
    function Get-FolderState([string] $folder) {
        Get-ChildItem -LiteralPath $folder -Recurse -File | Sort-Object FullName |
            ForEach-Object { '{0} {1} {2}' -f $_.FullName, $_.LastWriteTimeUtc.Ticks, (Get-FileHash -LiteralPath $_.FullName).Hash }
    }
    function Get-Sidecar([string] $image) { Get-Content -LiteralPath ($image -replace '\.nii\.gz$', '.json') -Raw | ConvertFrom-Json }
    # A BIDS dataset holding copies of some of the raw images (participant -> source image), and nothing else.
    function New-BidsCopy([string] $path, [hashtable] $images) {
        New-Item -ItemType Directory -Force $path | Out-Null
        Copy-Item (Join-Path $Bids 'dataset_description.json') $path
        foreach ($participant in $images.Keys) {
            $anat = Join-Path $path "$participant/ses-M000/anat"
            New-Item -ItemType Directory -Force $anat | Out-Null
            if ($images[$participant]) { Copy-Item $images[$participant] (Join-Path $anat "${participant}_ses-M000_T1w.nii.gz") }
        }
    }
}

Describe 'Invoke-ClinicaDLPreprocessing' {
    Context 'outputs in the CAPS' {
        It 'preprocesses every session without error' {
            $FirstErrors | Should -BeNullOrEmpty
            $Results.Count | Should -Be 4
            $Results.Status | Sort-Object -Unique | Should -Be 'Done'
            $Results.ParticipantId | Should -Be @('sub-001', 'sub-002', 'sub-003', 'sub-004')
        }

        It 'writes Clinica''s t1_linear paths: the image, the ANTs .mat and the sidecar, and nothing temporary' {
            foreach ($result in $Results) {
                $prefix = Join-Path $Caps "subjects/$($result.ParticipantId)/ses-M000/t1_linear/$($result.ParticipantId)_ses-M000_$Space"
                $result.OutputPath | Should -Be "${prefix}_desc-Crop_res-1x1x1_T1w.nii.gz"
                $result.OutputPath | Should -Exist
                $result.TransformPath | Should -Be "${prefix}_res-1x1x1_affine.mat"
                $result.TransformPath | Should -Exist
                "${prefix}_desc-Crop_res-1x1x1_T1w.json" | Should -Exist
            }
            Get-ChildItem -Recurse -Force $Caps -Filter '*.tmp*' | Should -BeNullOrEmpty
            Join-Path $Caps 'dataset_description.json' | Should -Exist
        }

        It 'records the template''s SHA-256, the parameters key, the 4x4 transform and the quality figures in the sidecar' {
            $sha = (Get-FileHash -LiteralPath $Template -Algorithm SHA256).Hash.ToLowerInvariant()
            foreach ($result in $Results) {
                $sidecar = Get-Sidecar $result.OutputPath
                $sidecar.Template.Sha256 | Should -Be $sha
                $sidecar.ParametersKey | Should -Match '^[0-9a-f]{64}$'
                $sidecar.Transform.Count | Should -Be 4
                $sidecar.Transform | ForEach-Object { $_.Count | Should -Be 4 }
                $sidecar.Transform[3] | Should -Be @(0, 0, 0, 1)
                $sidecar.Quality.template_correlation | Should -Be $result.TemplateCorrelation
                $sidecar.Parameters.seed | Should -Be 0
            }
            @($Results | ForEach-Object { (Get-Sidecar $_.OutputPath).ParametersKey } | Sort-Object -Unique).Count | Should -Be 4 -Because 'the key covers the source file'
        }

        It 'resamples onto the template''s grid (a template off Clinica''s grid is not cropped)' {
            $template = Read-NiftiImage $Template
            foreach ($result in $Results) {
                $image = Read-NiftiImage $result.OutputPath
                $image.Shape | Should -Be @($template.Shape)
                "$($image.Affine)" | Should -Be "$($template.Affine)"
                $image.DataType | Should -Be 'Float32'
            }
        }

        It 'recovers the true template-to-native transform, up to the phantom''s own size, within 5 mm over the template''s brain' {
            # Each phantom's brain differs in size from the mean template (PhantomAnatomy.Size = 1 + 0.035 N(0, 1)), so
            # its best affine match is the scan's transform T composed with that size about the phantom's centre c =
            # (0, -18, 8): F ~ T(c + s (p - c)). The size s is fitted by least squares (it must lie within 0.85-1.15,
            # over 4 standard deviations). What remains also holds the phantoms' other differences (ventricles scaled by
            # exp(0.15 N(0, 1)), hippocampi, head shape) on 3 mm voxels: measured 1.8, 2.1, 3.6 and 4.0 mm for these four,
            # the same in every run; allowed 5 mm, a quarter of the scan's own offsets (up to 20 mm and 15 degrees).
            $mask = Read-NiftiImage (Join-Path $Raw 'template/tpl-ClinicaDLPhantom_res-3_desc-brain_mask.nii.gz')
            $values = $mask.GetData()
            $shape = $mask.Shape
            $points = for ($i = 0; $i -lt $values.Length; $i += 7) {
                if ($values[$i] -gt 0) { , $mask.Affine.Apply($i % $shape[0], [math]::Floor($i / $shape[0]) % $shape[1], [math]::Floor($i / ($shape[0] * $shape[1]))) }
            }
            $points.Count | Should -BeGreaterThan 1000
            $centre = @(0.0, -18.0, 8.0)
            $truth = Import-Csv (Join-Path $Raw 'transforms.tsv') -Delimiter "`t"
            foreach ($result in $Results) {
                $row = $truth | Where-Object participant_id -EQ $result.ParticipantId
                $t = foreach ($r in 0..2) { , @(0..3 | ForEach-Object { [double]::Parse($row."m$r$_", [cultureinfo]::InvariantCulture) }) }
                $found = (Get-Sidecar $result.OutputPath).Transform
                $pairs = foreach ($p in $points) {
                    # u = T's linear part applied to p - c; v = F p - T c: F p = T c + s u when the size is all that differs.
                    $u = foreach ($r in 0..2) { $t[$r][0] * ($p[0] - $centre[0]) + $t[$r][1] * ($p[1] - $centre[1]) + $t[$r][2] * ($p[2] - $centre[2]) }
                    $v = foreach ($r in 0..2) {
                        ($found[$r][0] * $p[0] + $found[$r][1] * $p[1] + $found[$r][2] * $p[2] + $found[$r][3]) -
                            ($t[$r][0] * $centre[0] + $t[$r][1] * $centre[1] + $t[$r][2] * $centre[2] + $t[$r][3])
                    }
                    , @($u, $v)
                }
                $uv = 0.0; $uu = 0.0
                foreach ($pair in $pairs) { foreach ($r in 0..2) { $uv += $pair[0][$r] * $pair[1][$r]; $uu += $pair[0][$r] * $pair[0][$r] } }
                $size = $uv / $uu
                $residual = 0.0
                foreach ($pair in $pairs) {
                    $squared = 0.0
                    foreach ($r in 0..2) { $d = $pair[1][$r] - $size * $pair[0][$r]; $squared += $d * $d }
                    $residual += [math]::Sqrt($squared)
                }
                $size | Should -BeGreaterThan 0.85 -Because "$($result.ParticipantId)'s fitted size should be a phantom's"
                $size | Should -BeLessThan 1.15 -Because "$($result.ParticipantId)'s fitted size should be a phantom's"
                $residual / $pairs.Count | Should -BeLessThan 5 -Because "$($result.ParticipantId)'s recovered transform should match transforms.tsv up to its size"
            }
        }

        It 'gives a CAPS Import-CapsDataset reads as t1-linear' {
            $images = @(Import-CapsDataset $Caps -Preprocessing t1-linear)
            $images.Count | Should -Be 4
            @($images.Path | Sort-Object) | Should -Be @($Results.OutputPath | Sort-Object)
        }

        It 'names the uncropped image as Clinica with -UncroppedImage' {
            $uncropped = Join-Path $TestDrive 'uncropped'
            $result = Invoke-ClinicaDLPreprocessing $Bids $uncropped -ParticipantId sub-002 -TemplatePath $Template -UncroppedImage
            $result.OutputPath | Should -Be (Join-Path $uncropped "subjects/sub-002/ses-M000/t1_linear/sub-002_ses-M000_${Space}_res-1x1x1_T1w.nii.gz")
            $result.OutputPath | Should -Exist
            ($result.OutputPath -replace '\.nii\.gz$', '.json') | Should -Exist
            (Get-Sidecar $result.OutputPath).Parameters.uncropped_image | Should -BeTrue
        }
    }

    Context 'output objects and pipeline input' {
        It 'takes the dataset as a folder item (PSPath) from Get-Item' {
            $caps = Join-Path $TestDrive 'item'
            $result = Get-Item $Bids | Invoke-ClinicaDLPreprocessing -CapsPath $caps -ParticipantId sub-004 -TemplatePath $Template
            $result.Status | Should -Be 'Done'
            $result.SourcePath | Should -BeLike (Join-Path $Bids 'sub-004/*')
        }

        It 'emits one result per image with its duration and template correlation, shown in a table' {
            foreach ($result in $Results) {
                $result | Should -BeOfType ClinicaDL.Core.Preprocessing.T1LinearResult
                $result.SessionId | Should -Be 'ses-M000'
                $result.DurationSeconds | Should -BeGreaterThan 0
                $result.TemplateCorrelation | Should -BeGreaterThan 0.8
                $result.SourcePath | Should -BeLike (Join-Path $Bids "$($result.ParticipantId)/ses-M000/anat/*_T1w.nii.gz")
            }
            ($Results | Format-Table | Out-String -Width 300) | Should -Match 'ParticipantId\s+SessionId\s+Status\s+DurationSeconds\s+TemplateCorrelation\s+OutputPath'
        }

        It 'processes only the sessions piped from Import-BidsDataset' {
            $caps = Join-Path $TestDrive 'piped'
            $piped = @(Import-BidsDataset $Bids | Where-Object ParticipantId -EQ sub-003 | Invoke-ClinicaDLPreprocessing -CapsPath $caps -TemplatePath $Template)
            $piped.Count | Should -Be 1
            $piped.ParticipantId | Should -Be 'sub-003'
            $piped.Status | Should -Be 'Done'
            (Get-ChildItem (Join-Path $caps 'subjects')).Name | Should -Be 'sub-003'
        }
    }

    # Before 'resuming', which redoes sub-001 of $Caps with another seed: here $Caps is still one process's run of all four.
    Context 'several processes into one CAPS' {
        BeforeAll {
            # Two child processes, one chunk (one image) each, released at the same moment once both have loaded the module;
            # the sessions given as a TSV, as a task started by another process gets them.
            $script:SharedCaps = Join-Path $TestDrive 'shared-caps'
            $sessions = Join-Path $TestDrive 'sessions.tsv'
            Set-Content $sessions "participant_id`tsession_id`tdiagnosis`nsub-002`tses-M000`tAD`nsub-001`tses-M000`tCN"
            $go = Join-Path $TestDrive 'go'
            $pwsh = [Environment]::GetCommandLineArgs()[0]
            $prefix = @(if ($pwsh -like '*.dll') { $pwsh })
            $script:Children = foreach ($chunk in 0, 1) {
                $command = "Import-Module '$(Get-ClinicaDLModulePath)'; while (-not (Test-Path '$go')) { Start-Sleep -Milliseconds 20 }; " +
                    "Invoke-ClinicaDLPreprocessing '$Bids' '$SharedCaps' -TemplatePath '$Template' -TsvPath '$sessions' -Chunk $chunk -ChunkCount 2 -ErrorAction Stop | " +
                    "ForEach-Object { '{0} {1}' -f `$_.ParticipantId, `$_.Status }"
                $out = Join-Path $TestDrive "chunk-$chunk.out"
                $process = Start-Process -FilePath ([Environment]::ProcessPath) -PassThru -NoNewWindow -RedirectStandardOutput $out -RedirectStandardError "$out.err" `
                    -ArgumentList ($prefix + @('-NoProfile', '-NonInteractive', '-Command', $command))
                @{ Process = $process; Out = $out }
            }
            Start-Sleep -Milliseconds 500
            Set-Content $go ''
            foreach ($child in $Children) {
                if (-not $child.Process.WaitForExit(120000)) { $child.Process.Kill() }
            }
            # Every file (hidden ones too: a lock left behind would show) by its path under the CAPS, but the jobs/ folder
            # of -ThrottleLimit and -Scheduler (scripts and logs).
            function Get-CapsFiles([string] $caps) {
                Get-ChildItem -LiteralPath $caps -Recurse -File -Force | ForEach-Object { [IO.Path]::GetRelativePath($caps, $_.FullName).Replace('\', '/') } |
                    Where-Object { $_ -notlike 'jobs/*' } | Sort-Object
            }
            # The files at $paths in both CAPS hold the same: voxels and affine, sidecars but their duration, the rest byte for byte.
            function Assert-SameCapsFiles([string] $mineCaps, [string] $referenceCaps, [string[]] $paths) {
                foreach ($path in $paths) {
                    $mine = Join-Path $mineCaps $path
                    $reference = Join-Path $referenceCaps $path
                    if ($path -like '*.nii.gz') {
                        $a = Read-NiftiImage $mine
                        $b = Read-NiftiImage $reference
                        "$($a.Affine)" | Should -Be "$($b.Affine)"
                        [Linq.Enumerable]::SequenceEqual([double[]]$a.GetData(), [double[]]$b.GetData()) | Should -BeTrue -Because $path
                    } elseif ($path -like '*_T1w.json') {
                        $a = Get-Content $mine -Raw | ConvertFrom-Json
                        $b = Get-Content $reference -Raw | ConvertFrom-Json
                        $a.DurationSeconds = $b.DurationSeconds = 0
                        $a | ConvertTo-Json -Depth 10 | Should -Be ($b | ConvertTo-Json -Depth 10) -Because $path
                    } else {
                        (Get-FileHash $mine).Hash | Should -Be (Get-FileHash $reference).Hash -Because $path
                    }
                }
            }
        }

        It 'preprocesses chunk <Chunk> of 2 (<Expected>) without error' -ForEach @(
            @{ Chunk = 0; Expected = 'sub-001 Done' }
            @{ Chunk = 1; Expected = 'sub-002 Done' }
        ) {
            Get-Content "$($Children[$Chunk].Out).err" -Raw | Should -BeNullOrEmpty
            $Children[$Chunk].Process.ExitCode | Should -Be 0
            Get-Content $Children[$Chunk].Out | Should -Be $Expected
        }

        It 'writes the same files as one process preprocessing all: every path, voxel, transform and sidecar but its duration' {
            $paths = @(Get-CapsFiles $SharedCaps)
            $paths | Should -Be @(Get-CapsFiles $Caps | Where-Object { $_ -notmatch 'sub-00[34]' })
            $paths.Count | Should -Be 7
            Assert-SameCapsFiles $SharedCaps $Caps $paths
        }

        It 'fails only the image another live process holds, naming it, and preprocesses the others' {
            $caps = Join-Path $TestDrive 'held-caps'
            $folder = Join-Path $caps 'subjects/sub-002/ses-M000/t1_linear'
            $lock = Join-Path $caps 'subjects/sub-002/ses-M000/.t1_linear.lock'
            New-Item -ItemType Directory -Force (Split-Path $folder) | Out-Null
            # The lock as OutputLock writes it, held by this test's own process: alive, on this host.
            Set-OutputLock $lock -Acquired '2026-11-29T01:00:00.0000000Z'
            $results = @(Invoke-ClinicaDLPreprocessing $Bids $caps -ParticipantId sub-002, sub-003 -TemplatePath $Template -ErrorVariable problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
            $problems.Count | Should -Be 1
            $problems[0].FullyQualifiedErrorId | Should -Be "OutputInUse$Suffix"
            $problems[0].TargetObject | Should -Be $folder
            $problems[0].Exception.Message | Should -BeLike "*process $PID on $([Environment]::MachineName), since 2026-11-29T01:00:00.0000000Z*"
            ($results | Where-Object ParticipantId -EQ sub-002).Status | Should -Be 'Failed'
            ($results | Where-Object ParticipantId -EQ sub-003).Status | Should -Be 'Done'
            $folder | Should -Not -Exist
            Get-Content $lock -Raw | ConvertFrom-Json | Select-Object -ExpandProperty pid | Should -Be $PID
        }

        It 'reports a session without a T1w after the images it could do, so that -ErrorAction Stop (as a job''s part runs) still does them' {
            $thrown = $null
            try { Invoke-ClinicaDLPreprocessing $Bids $SharedCaps -TemplatePath $Template -ParticipantId sub-001, sub-999 -ErrorAction Stop -OutVariable done | Out-Null }
            catch { $thrown = $_ }
            $thrown.FullyQualifiedErrorId | Should -Be "T1wNotFound$Suffix"
            $thrown.Exception.Message | Should -BeLike '*sub-999*'
            $done.ParticipantId | Should -Be 'sub-001'
            $done.Status | Should -Be 'Skipped'
        }

        It 'refuses a sessions TSV with a row lacking its session with InvalidTable, naming the line, and writes nothing' {
            $tsv = Join-Path $TestDrive 'incomplete.tsv'
            Set-Content $tsv "participant_id`tsession_id`nsub-001`tses-M000`nsub-002`t"
            $caps = Join-Path $TestDrive 'incomplete-caps'
            { Invoke-ClinicaDLPreprocessing $Bids $caps -TemplatePath $Template -TsvPath $tsv -ErrorAction Stop } |
                Should -Throw -ErrorId "InvalidTable$Suffix" -ExpectedMessage "*incomplete.tsv*line 3*"
            $caps | Should -Not -Exist
        }

        It 'warns and writes nothing for a chunk beyond the images' {
            $caps = Join-Path $TestDrive 'empty-chunk'
            Invoke-ClinicaDLPreprocessing $Bids $caps -TemplatePath $Template -Chunk 5 -ChunkCount 6 -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable problems | Should -BeNullOrEmpty
            $problems | Should -BeNullOrEmpty
            $warnings.Count | Should -Be 1
            "$($warnings[0])" | Should -BeLike 'Chunk 5 of 6 holds no image*4 image(s)*'
            $caps | Should -Not -Exist
        }

        It 'refuses chunk <Chunk> of <Count> with InvalidInput before reading anything' -ForEach @(
            @{ Chunk = 2; Count = 2 }
            @{ Chunk = 0; Count = 0 }
        ) {
            $caps = Join-Path $TestDrive 'bad-chunk'
            { Invoke-ClinicaDLPreprocessing $Bids $caps -TemplatePath $Template -Chunk $Chunk -ChunkCount $Count -ErrorAction Stop } |
                Should -Throw -ErrorId "InvalidInput$Suffix"
            $caps | Should -Not -Exist
        }

        It 'runs each chunk in a local child process with -ThrottleLimit, to the files of one process' {
            $caps = Join-Path $TestDrive 'throttled-caps'
            $results = @(Invoke-ClinicaDLPreprocessing $Bids $caps -TemplatePath $Template -ParticipantId sub-001, sub-002 -ThrottleLimit 2)
            ($results | Sort-Object ParticipantId | ForEach-Object { "$($_.ParticipantId) $($_.Status)" }) | Should -Be @('sub-001 Done', 'sub-002 Done')
            $results.TemplateCorrelation | ForEach-Object { $_ | Should -BeGreaterThan 0.5 }
            $paths = @(Get-CapsFiles $caps)
            $paths | Should -Be @(Get-CapsFiles $SharedCaps)
            Assert-SameCapsFiles $caps $Caps $paths
            @(Get-ClinicaDLJob $caps).State | Should -Be @('COMPLETED', 'COMPLETED')
            # Again: each chunk finds its image done with the same settings.
            (Invoke-ClinicaDLPreprocessing $Bids $caps -TemplatePath $Template -ParticipantId sub-001, sub-002 -ThrottleLimit 2).Status | Should -Be @('Skipped', 'Skipped')
        }

        It 'submits the chunks to SLURM as one array job, to the files of one process' {
            if (Get-SlurmAbsence) {
                Set-ItResult -Skipped -Because (Get-SlurmAbsence)
                return
            }
            $caps = Join-Path $TestDrive 'slurm-caps'
            $job = Invoke-ClinicaDLPreprocessing $Bids $caps -TemplatePath $Template -ParticipantId sub-001, sub-002 -Scheduler Slurm -ChunkCount 2
            $job.Kind | Should -Be 'Preprocessing'
            $job.Parts | Should -Be @(0, 1)
            ($job | Wait-ClinicaDLJob -Timeout 600).State | Should -Be @('COMPLETED', 'COMPLETED')
            $paths = @(Get-CapsFiles $caps)
            $paths | Should -Be @(Get-CapsFiles $SharedCaps)
            Assert-SameCapsFiles $caps $Caps $paths
        }

        It 'refuses -Chunk with -ThrottleLimit' {
            { Invoke-ClinicaDLPreprocessing $Bids (Join-Path $TestDrive 'never-caps') -TemplatePath $Template -ThrottleLimit 2 -Chunk 0 -ErrorAction Stop } |
                Should -Throw -ErrorId "InvalidInput$Suffix" -ExpectedMessage '*-Chunk preprocesses one chunk in this process*'
            Join-Path $TestDrive 'never-caps' | Should -Not -Exist
        }
    }

    Context 'resuming' {
        It 'skips every image already done with the same parameters, leaving its files as they were' {
            $before = Get-FolderState $Caps
            $again = @(Invoke-ClinicaDLPreprocessing -BidsPath $Bids -CapsPath $Caps -TemplatePath $Template -ErrorVariable problems)
            $problems | Should -BeNullOrEmpty
            $again.Status | Sort-Object -Unique | Should -Be 'Skipped'
            $again.OutputPath | Should -Be $Results.OutputPath
            $again.TemplateCorrelation | Should -Be $Results.TemplateCorrelation
            Get-FolderState $Caps | Should -Be $before
        }

        It 'refuses an image done with another seed with OutputExists, and redoes it with -Force' {
            $before = Get-FolderState $Caps
            $refused = @(Invoke-ClinicaDLPreprocessing $Bids $Caps -ParticipantId sub-001 -TemplatePath $Template -Seed 5 -ErrorVariable problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
            $problems.FullyQualifiedErrorId | Should -Be "OutputExists$Suffix"
            $refused.Status | Should -Be 'Failed'
            Get-FolderState $Caps | Should -Be $before
            $redone = Invoke-ClinicaDLPreprocessing $Bids $Caps -ParticipantId sub-001 -TemplatePath $Template -Seed 5 -Force
            $redone.Status | Should -Be 'Done'
            (Get-Sidecar $redone.OutputPath).Parameters.seed | Should -Be 5
        }

        It 'refuses a CAPS image it did not make with ForeignContent and leaves it untouched' {
            $caps = Join-Path $TestDrive 'foreign'
            $folder = Join-Path $caps 'subjects/sub-002/ses-M000/t1_linear'
            New-Item -ItemType Directory -Force $folder | Out-Null
            $copy = Join-Path $folder "sub-002_ses-M000_${Space}_desc-Crop_res-1x1x1_T1w.nii.gz"
            Copy-Item $Results[1].OutputPath $copy
            $before = Get-FolderState $caps
            $refused = Invoke-ClinicaDLPreprocessing $Bids $caps -ParticipantId sub-002 -TemplatePath $Template -Force -ErrorVariable problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $problems.FullyQualifiedErrorId | Should -Be "ForeignContent$Suffix"
            $problems[0].Exception.Message | Should -BeLike '*not made by this module*'
            $refused.Status | Should -Be 'Failed'
            Get-FolderState $caps | Where-Object { $_ -notlike '*dataset_description.json*' } | Should -Be $before
        }

        It 'writes nothing with -WhatIf' {
            $caps = Join-Path $TestDrive 'whatif'
            Invoke-ClinicaDLPreprocessing $Bids $caps -TemplatePath $Template -WhatIf | Should -BeNullOrEmpty
            $caps | Should -Not -Exist
        }
    }

    Context 'inputs it cannot use' {
        BeforeAll {
            # One good image beside each bad one: the good one must still be preprocessed.
            $script:BadBids = Join-Path $TestDrive 'bad-bids'
            New-BidsCopy $BadBids @{ 'sub-001' = $Sessions[0].BidsPath; 'sub-4d' = $null; 'sub-empty' = $null; 'sub-corrupt' = $null; 'sub-none' = $null; 'sub-blank' = $null }
            $native = Read-NiftiImage $Sessions[1].BidsPath
            $volume = $native.GetData()
            [ClinicaDL.Core.Imaging.NiftiWriter]::Write((Join-Path $BadBids 'sub-4d/ses-M000/anat/sub-4d_ses-M000_T1w.nii.gz'), [int[]](@($native.Shape) + 2), [float[]]($volume + $volume), $native.Affine)
            New-Item -ItemType File (Join-Path $BadBids 'sub-empty/ses-M000/anat/sub-empty_ses-M000_T1w.nii.gz') | Out-Null
            # A scan of nothing (all zeros): no foreground to correct, no centre to start the registration from.
            [ClinicaDL.Core.Imaging.NiftiWriter]::Write((Join-Path $BadBids 'sub-blank/ses-M000/anat/sub-blank_ses-M000_T1w.nii.gz'), [int[]]@($native.Shape), [float[]]::new($volume.Length), $native.Affine)
            Copy-Item $Sessions[3].BidsPath (Join-Path $BadBids 'sub-none/ses-M000/anat/sub-none_ses-M000_T2w.nii.gz')
            $bytes = [IO.File]::ReadAllBytes($Sessions[2].BidsPath)
            [IO.File]::WriteAllBytes((Join-Path $BadBids 'sub-corrupt/ses-M000/anat/sub-corrupt_ses-M000_T1w.nii.gz'), $bytes[0..($bytes.Length / 2)])
            $script:BadCaps = Join-Path $TestDrive 'bad-caps'
            $script:BadResults = @(Invoke-ClinicaDLPreprocessing $BadBids $BadCaps -TemplatePath $Template -ErrorVariable script:BadErrors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        }

        It 'reports <Participant> with <ErrorId>, writes nothing of it, and preprocesses the others' -ForEach @(
            @{ Participant = 'sub-4d'; ErrorId = 'UnusableImage' }
            @{ Participant = 'sub-empty'; ErrorId = 'InvalidNiftiFile' }
            @{ Participant = 'sub-corrupt'; ErrorId = 'InvalidNiftiFile' }
            @{ Participant = 'sub-none'; ErrorId = 'T1wNotFound' }
            @{ Participant = 'sub-blank'; ErrorId = 'PreprocessingFailed' }
        ) {
            $errors = @($BadErrors | Where-Object { "$($_.TargetObject)" -like "*$Participant*" })
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "$ErrorId$Suffix"
            Join-Path $BadCaps "subjects/$Participant" | Should -Not -Exist
            ($BadResults | Where-Object ParticipantId -EQ sub-001).Status | Should -Be 'Done'
            Get-ChildItem -Recurse -Force $BadCaps -Filter '*.tmp*' | Should -BeNullOrEmpty
        }

        It 'reports a -ParticipantId the dataset does not have with T1wNotFound, and writes nothing' {
            $caps = Join-Path $TestDrive 'absent'
            Invoke-ClinicaDLPreprocessing $Bids $caps -ParticipantId sub-999 -TemplatePath $Template -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $problems.FullyQualifiedErrorId | Should -Be "T1wNotFound$Suffix"
            $problems[0].Exception.Message | Should -BeLike '*sub-999*'
            $caps | Should -Not -Exist
        }

        It 'refuses a dataset without sessions with T1wNotFound, naming the session folder it needs' {
            $flat = Join-Path $TestDrive 'flat'
            New-Item -ItemType Directory -Force (Join-Path $flat 'sub-01/anat') | Out-Null
            Copy-Item (Join-Path $Bids 'dataset_description.json') $flat
            Copy-Item $Sessions[0].BidsPath (Join-Path $flat 'sub-01/anat/sub-01_T1w.nii.gz')
            $caps = Join-Path $TestDrive 'flat-caps'
            Invoke-ClinicaDLPreprocessing $flat $caps -TemplatePath $Template -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $problems.FullyQualifiedErrorId | Should -Be "T1wNotFound$Suffix"
            $problems[0].Exception.Message | Should -BeLike '*session*'
            $caps | Should -Not -Exist
        }

        It 'refuses <Case> with InvalidTemplate before preprocessing anything' -ForEach @(
            @{ Case = 'a 4D template'; Name = 'template-4d.nii.gz' }
            @{ Case = 'a template that does not exist'; Name = 'missing.nii.gz' }
        ) {
            $refused = Join-Path $TestDrive $Name
            if ($Name -eq 'template-4d.nii.gz') {
                $image = Read-NiftiImage $Template
                $values = $image.GetData()
                [ClinicaDL.Core.Imaging.NiftiWriter]::Write($refused, [int[]](@($image.Shape) + 2), [float[]]($values + $values), $image.Affine)
            }
            $caps = Join-Path $TestDrive "caps-$Name"
            Invoke-ClinicaDLPreprocessing $Bids $caps -ParticipantId sub-001 -TemplatePath $refused -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $problems.FullyQualifiedErrorId | Should -Be "InvalidTemplate$Suffix"
            $problems[0].TargetObject | Should -Be $refused
            Join-Path $caps 'subjects' | Should -Not -Exist
        }

        It 'reports a CAPS that cannot be made (a path under a file, refused even to root) and writes nothing' {
            $file = Join-Path $TestDrive 'a-file'
            Set-Content $file 'not a folder'
            Invoke-ClinicaDLPreprocessing $Bids (Join-Path $file 'caps') -ParticipantId sub-001 -TemplatePath $Template -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            # .NET reports ENOTDIR as a missing directory.
            $problems.FullyQualifiedErrorId | Should -Be "PathNotFound$Suffix"
            $problems[0].Exception.Message | Should -BeLike "*$file*"
            Get-Content $file | Should -Be 'not a folder'
        }
    }

    # The whole chain on data whose answer is known: raw scanner-space phantoms -> t1-linear -> quality check ->
    # training, against training on the generator's own template-space CAPS with the same split and seed. 40
    # participants x 2 sessions at 3 mm is the smallest set that trains reliably in a few minutes here; both CAPS
    # gave a test balanced accuracy of 0.875 on fold 0 (the demo's 60 x 2 reaches 1.0).
    Context 'from raw scans to a trained model' {
        BeforeAll {
            $chain = Join-Path $TestDrive 'chain'
            $rawChain = Join-Path $chain 'raw'
            New-ClinicaDLSyntheticDataset -OutputPath $rawChain -ParticipantCount 40 -SessionCount 2 -VoxelSize 3 -Raw -Seed 0 | Out-Null
            $script:ChainCaps = Join-Path $chain 'caps'
            $chainTemplate = Join-Path $rawChain 'template/tpl-ClinicaDLPhantom_res-3_T1w.nii.gz'
            $script:ChainResults = @(Invoke-ClinicaDLPreprocessing -BidsPath (Join-Path $rawChain 'bids') -CapsPath $ChainCaps -TemplatePath $chainTemplate)
            $script:Quality = @(Invoke-ClinicaDLQualityCheck -CapsPath $ChainCaps -TemplatePath $chainTemplate -OutputPath (Join-Path $chain 'qc.tsv') -WarningAction SilentlyContinue)
            $split = New-ClinicaDLSplit -Path (Join-Path $rawChain 'labels.tsv') -OutputPath (Join-Path $chain 'split') -TestSize 0.2 -Seed 0
            $folds = New-ClinicaDLSplit -Path $split.TrainPath -KFold 2 -Seed 0
            $script:TestBA = @{}
            foreach ($run in @(@{ Name = 'generator'; Caps = Join-Path $rawChain 'caps' }, @{ Name = 'pipeline'; Caps = $ChainCaps })) {
                $maps = Join-Path $chain "maps-$($run.Name)"
                Start-ClinicaDLTraining -CapsPath $run.Caps -TsvPath (Split-Path $folds[0].Path) -MapsPath $maps -Epochs 12 -BatchSize 4 `
                    -LearningRate 5e-4 -SelectionMetric loss -Seed 0 -Split 0 | Out-Null
                Invoke-ClinicaDLPrediction $maps test -CapsPath $run.Caps -TsvPath $split.SubsetPath | Out-Null
                $script:TestBA[$run.Name] = (Get-MapsResult $maps -DataGroup test).BA
            }
        }

        It 'preprocesses all 80 raw scans' {
            $ChainResults.Count | Should -Be 80
            @($ChainResults | Where-Object Status -ne 'Done').Count | Should -Be 0
        }

        It 'passes every preprocessed image in the quality check' {
            $Quality.Count | Should -Be 80
            @($Quality | Where-Object { -not $_.Pass }) | ForEach-Object { "$($_.ParticipantId) $($_.SessionId): $($_.Reason)" } | Should -BeNullOrEmpty
        }

        It 'trains on the preprocessed CAPS as well as on the generator''s own' {
            $TestBA['pipeline'] | Should -BeGreaterOrEqual 0.85
            $TestBA['pipeline'] | Should -BeGreaterOrEqual ($TestBA['generator'] - 0.07)
        }
    }
}
