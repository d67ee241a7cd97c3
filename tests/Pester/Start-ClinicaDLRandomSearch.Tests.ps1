# A 3-trial random search on the synthetic study, then the same search killed during a trial and continued (kept,
# resumed, trained): same seed, same draws, same logs and weights; a changed file or seed is refused; -WhatIf writes
# nothing. Two epochs per trial, one split: about 7 small trainings in all.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $Suffix = ',ClinicaDL.PowerShell.Commands.StartClinicaDLRandomSearchCommand'

    $study = Get-TestStudy -ParticipantCount 12 -SessionCount 1 -VoxelSize 3 -Seed 4 -TestSize 4 -KFold 2 -Extractions @{ Mode = 'Image'; ExtractJson = 'search_image' }
    function New-SearchToml([string] $path, [string] $extra = '') {
        Set-Content -LiteralPath $path @"
[Random_Search]
network_task = "classification"
caps_directory = '$($study.Caps)'
tsv_path = '$($study.KFold)'
preprocessing_json = "search_image.json"
n_convblocks = [1, 3]
first_conv_width = [4, 8]
n_fcblocks = [1, 2]
channels_limit = 16
d_reduction = ["MaxPooling", "stride"]
network_normalization = ["BatchNorm", "None"]
wd_bool = [true, false]
$extra
[Architecture]
dropout = [0.0, 0.5]
[Classification]
selection_metrics = ["loss", "BA"]
[Computational]
batch_size = 4
threads = 1
[Cross_validation]
split = [0]
[Optimization]
epochs = 2
learning_rate = [3, 4]
weight_decay = [3, 5]
"@
    }
    $script:Toml = Join-Path $TestDrive 'random_search.toml'
    New-SearchToml $Toml

    # training.tsv of every trial without its time column, which measures the machine rather than the training.
    function Get-SearchLogs([string] $search) {
        foreach ($trial in Get-ChildItem -LiteralPath $search -Directory -Filter 'trial-*' | Sort-Object Name) {
            Get-Content (Join-Path $trial.FullName 'split-0/training_logs/training.tsv') | ForEach-Object { "$($trial.Name)`t" + (($_ -split "`t" | Select-Object -Index (@(0, 1) + 3..40)) -join "`t") }
        }
    }
    function Get-Draws([string] $search) { (Get-Content -Raw (Join-Path $search 'random_search.json') | ConvertFrom-Json).trials | ForEach-Object { $_.sampled | ConvertTo-Json -Compress -Depth 5 } }

    $script:First = Join-Path $TestDrive 'first'
    $script:FirstTrials = @(Start-ClinicaDLRandomSearch -ConfigPath $Toml -OutputPath $First -Trials 3 -Seed 7)
}

Describe 'Start-ClinicaDLRandomSearch' {
    Context 'a new search' {
        It 'trains one MAPS per trial with the drawn RandomArchitecture and reports each trial' {
            $FirstTrials.Count | Should -Be 3
            $FirstTrials.Name | Should -Be @('trial-0', 'trial-1', 'trial-2')
            $FirstTrials.Run | Should -Be @('Trained', 'Trained', 'Trained')
            $FirstTrials.Status | Should -Be @('Completed', 'Completed', 'Completed')
            $state = Get-Content -Raw (Join-Path $First 'random_search.json') | ConvertFrom-Json
            $state.seed | Should -Be 7
            $state.toml | Should -Be (Get-Content -Raw $Toml)
            $state.toml_sha256 | Should -Be (Get-FileHash $Toml -Algorithm SHA256).Hash.ToLowerInvariant()
            foreach ($trial in $FirstTrials) {
                $maps = Get-Content -Raw (Join-Path $trial.MapsPath 'maps.json') | ConvertFrom-Json
                $drawn = $state.trials[$trial.Trial].sampled
                $maps.architecture | Should -Be 'RandomArchitecture'
                $maps.n_fcblocks | Should -Be $drawn.n_fcblocks
                $maps.learning_rate | Should -Be $drawn.learning_rate
                $maps.weight_decay | Should -Be $drawn.weight_decay
                if (-not $drawn.wd_bool) { $maps.weight_decay | Should -Be 0 }
                ($maps.convolutions_dict | ConvertTo-Json -Compress -Depth 5) | Should -Be ($drawn.convolutions_dict | ConvertTo-Json -Compress -Depth 5)
                $trial.SampledValues['n_fcblocks'] | Should -Be "$($drawn.n_fcblocks)"
                $trial.SampledValues['convolutions_dict'] | Should -Match '^\d blocks: channels [\d-]+, n_conv [\d-]+, (MaxPooling|stride)$'
                $trial.ValidationMetrics.Keys | Should -Contain 'BA'
                $trial.ValidationLoss | Should -BeGreaterThan 0
                # Every trial is an ordinary training: its groups and its seen participants, and no test participant.
                Join-Path $trial.MapsPath 'groups/train+validation.tsv' | Should -Exist
                $seen = (Import-Csv (Join-Path $trial.MapsPath 'groups/train+validation.tsv') -Delimiter "`t").participant_id
                $test = @((Import-Csv $study.Split.SubsetPath -Delimiter "`t").participant_id)
                $test.Count | Should -BeGreaterThan 0
                @($seen | Where-Object { $_ -in $test }).Count | Should -Be 0 -Because 'no trial sees the test set'
            }
            @($FirstTrials.SampledValues | ForEach-Object ToString | Sort-Object -Unique).Count | Should -Be 3 -Because 'each trial draws its own values'
        }

        It 'hands each trial down the pipeline as it ends, and stops when the pipeline does' {
            $streamed = Join-Path $TestDrive 'streamed'
            $firstOnly = @(Start-ClinicaDLRandomSearch $Toml $streamed -Trials 3 -Seed 7 -WarningAction SilentlyContinue | Select-Object -First 1)
            $firstOnly.Name | Should -Be 'trial-0'
            ($firstOnly.SampledValues | ForEach-Object ToString) | Should -Be ($FirstTrials[0].SampledValues | ForEach-Object ToString)
            # Select-Object stopped the search during trial-1: trial-2 never began, and the folder's lock was let go.
            Join-Path $streamed 'trial-2' | Should -Not -Exist
            Join-Path $TestDrive '.streamed.lock' | Should -Not -Exist
        }

        It 'writes nothing with -WhatIf' {
            $none = Join-Path $TestDrive 'whatif'
            Start-ClinicaDLRandomSearch $Toml $none -Trials 3 -WhatIf | Should -BeNullOrEmpty
            $none | Should -Not -Exist
        }

        It 'refuses a wrong random_search.toml naming the file and key before writing anything' {
            $bad = Join-Path $TestDrive 'bad.toml'
            New-SearchToml $bad
            (Get-Content -Raw $bad).Replace('n_fcblocks = [1, 2]', 'n_fcblocks = [2]') | Set-Content $bad
            $out = Join-Path $TestDrive 'bad'
            $failure = { Start-ClinicaDLRandomSearch $bad $out -Trials 1 } | Should -Throw -ErrorId "InvalidSearchSpace$Suffix" -PassThru
            $failure.Exception.Message | Should -BeLike "*bad.toml*n_fcblocks*range*got 1 value(s)*"
            $out | Should -Not -Exist
        }
    }

    Context 'a search folder that exists' {
        It 'draws the same trials under the same seed and, killed during a trial, continues (kept, resumed, trained) to the logs of the uninterrupted search' {
            # The second search of the same file and seed: killed during trial-1, continued and grown to 3 trials, it
            # must have the first search's draws, training.tsv values and weights.
            $killed = Join-Path $TestDrive 'killed'
            $watch = Join-Path $killed 'trial-1/split-0/training_logs/training.tsv'
            $process = Start-ClinicaDLProcess -WatchFile $watch -Lines 2 -Command "Start-ClinicaDLRandomSearch -ConfigPath '$Toml' -OutputPath '$killed' -Trials 2 -Seed 7"
            Stop-Process -Id $process.Id -Force
            $process.WaitForExit()
            @(Get-Content $watch).Count | Should -BeLessThan 3 -Because 'the search was stopped before trial-1 ended'
            Join-Path $killed 'trial-2' | Should -Not -Exist

            # Grown to 3 trials: the seed is the recorded one.
            $continued = @(Start-ClinicaDLRandomSearch $Toml $killed -Trials 3)
            $continued.Run | Should -Be @('Kept', 'Resumed', 'Trained')
            $continued.Status | Should -Be @('Completed', 'Completed', 'Completed')
            Get-Draws $killed | Should -Be (Get-Draws $First)
            ($continued.SampledValues | ForEach-Object ToString) | Should -Be ($FirstTrials.SampledValues | ForEach-Object ToString)
            Get-SearchLogs $killed | Should -Be (Get-SearchLogs $First)
            @(Get-SearchLogs $First).Count | Should -Be 9 -Because 'three trials of a header and two epochs'
            (Get-FileHash (Join-Path $killed 'trial-1/split-0/best-loss/model.pt')).Hash | Should -Be (Get-FileHash (Join-Path $First 'trial-1/split-0/best-loss/model.pt')).Hash
        }

        It 'refuses another random_search.toml, another seed, fewer trials and a folder holding something else' {
            $changed = Join-Path $TestDrive 'changed.toml'
            New-SearchToml $changed '# a comment changes the file'
            $failure = { Start-ClinicaDLRandomSearch $changed $First -Trials 3 } | Should -Throw -ErrorId "SearchStateMismatch$Suffix" -PassThru
            $failure.Exception.Message | Should -BeLike '*was started with another random_search.toml*'
            { Start-ClinicaDLRandomSearch $Toml $First -Trials 3 -Seed 8 } | Should -Throw -ErrorId "SearchStateMismatch$Suffix" -ExpectedMessage '*seed 7; -Seed 8 would draw other trials*'
            { Start-ClinicaDLRandomSearch $Toml $First -Trials 2 } | Should -Throw -ErrorId "SearchStateMismatch$Suffix" -ExpectedMessage '*has 3 trials; -Trials 2 cannot shrink it*'
            $other = New-Item -ItemType Directory (Join-Path $TestDrive 'other')
            Set-Content (Join-Path $other 'notes.txt') 'mine'
            { Start-ClinicaDLRandomSearch $Toml $other -Trials 1 } | Should -Throw -ErrorId "SearchStateMismatch$Suffix" -ExpectedMessage '*holds no random search*'
            # Nothing changed: every trial is kept as it was.
            (Start-ClinicaDLRandomSearch $Toml $First -Trials 3).Run | Should -Be @('Kept', 'Kept', 'Kept')
        }
    }
}

Describe 'Trials in other processes' {
    It 'trains each trial in a local child process (-ThrottleLimit) to the same logs and weights' {
        $parallel = Join-Path $TestDrive 'parallel'
        $trials = @(Start-ClinicaDLRandomSearch -ConfigPath $Toml -OutputPath $parallel -Trials 3 -Seed 7 -ThrottleLimit 2)
        $trials.Trial | Sort-Object | Should -Be @(0, 1, 2)
        $trials.Status | Should -Be @('Completed', 'Completed', 'Completed')
        Get-SearchLogs $parallel | Should -Be (Get-SearchLogs $First)
        foreach ($name in 'trial-0', 'trial-1', 'trial-2') {
            Get-MapsFingerprint (Join-Path $parallel $name) | Should -Be (Get-MapsFingerprint (Join-Path $First $name))
        }
        @(Get-ClinicaDLJob -OutputPath $parallel).Progress | Should -Be @('complete', 'complete', 'complete')
        # Run again, nothing is left to train.
        Start-ClinicaDLRandomSearch -ConfigPath $Toml -OutputPath $parallel -Trials 3 -Seed 7 -ThrottleLimit 2 -WarningVariable warnings -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        $warnings -match 'Every trial of .* is complete or being trained' | Should -HaveCount 1
    }

    It 'submits the trials to SLURM as one array job, at most -ThrottleLimit at a time, to the same logs' {
        if (Get-SlurmAbsence) {
            Set-ItResult -Skipped -Because (Get-SlurmAbsence)
            return
        }
        $slurm = Join-Path $TestDrive 'slurm'
        $job = Start-ClinicaDLRandomSearch -ConfigPath $Toml -OutputPath $slurm -Trials 3 -Seed 7 -Scheduler Slurm -ThrottleLimit 2
        $job.Kind | Should -Be 'RandomSearch'
        Get-Content -Raw $job.ScriptPath | Should -Match '(?m)^#SBATCH --array=0-2%2$'
        ($job | Wait-ClinicaDLJob -Timeout 600).State | Should -Be @('COMPLETED', 'COMPLETED', 'COMPLETED')
        Get-SearchLogs $slurm | Should -Be (Get-SearchLogs $First)
    }

    It 'refuses -Trial with -ThrottleLimit, and a trial the search does not have' {
        { Start-ClinicaDLRandomSearch -ConfigPath $Toml -OutputPath (Join-Path $TestDrive 'never') -Trials 3 -Seed 7 -ThrottleLimit 2 -Trial 1 -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*-Trial trains trials in this process*'
        { Start-ClinicaDLRandomSearch -ConfigPath $Toml -OutputPath $First -Trials 3 -Seed 7 -Trial 5 -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*-Trial 5: this search has trials 0 to 2*'
    }
}
