# Several processes training one MAPS: splits started apart (two processes, -ThrottleLimit, SLURM tasks) give the
# files one process training every split gives, and a split has one writer at a time.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $study = Get-TestStudy -ParticipantCount 8 -SessionCount 1 -VoxelSize 3 -Seed 12 -TestSize 2 -KFold 2
    # One thread: the bits of a training depend on its thread count, and each part below runs with one.
    $script:Arguments = "-CapsPath '$($study.Caps)' -TsvPath '$($study.KFold)' -Epochs 2 -BatchSize 2 -BootstrapResamples 20 -Normalize -Threads 1"
    $script:Together = Join-Path $TestDrive 'together'
    $watch = [Diagnostics.Stopwatch]::StartNew()
    Invoke-Expression "Start-ClinicaDLTraining $Arguments -Split 0, 1 -MapsPath '$Together'" | Out-Null
    $script:TogetherSeconds = $watch.Elapsed.TotalSeconds

    function script:Set-SplitLock([string] $Maps, [int] $Split, [switch] $Dead) { Set-OutputLock (Join-Path $Maps ".split-$Split.lock") -Dead:$Dead }
}

Describe 'Two processes training the splits of one MAPS' {
    BeforeAll {
        $script:Separate = Join-Path $TestDrive 'separate'
        $gate = Join-Path $TestDrive 'gate'
        $children = foreach ($split in 0, 1) {
            $output = Join-Path $TestDrive "split-$split.txt"
            [pscustomobject]@{ Output = $output; Process = Start-ClinicaDLChild -OutputFile $output -Gate $gate -Command "Start-ClinicaDLTraining $Arguments -Split $split -MapsPath '$Separate' -Verbose" }
        }
        $deadline = [DateTime]::UtcNow.AddMinutes(2)
        while (@($children | Where-Object { Test-Path "$($_.Output).ready" }).Count -lt 2 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        New-Item -ItemType File $gate | Out-Null
        $children.Process | Wait-Process -Timeout 600
        $script:Children = $children
    }

    It 'both succeed, one of them joining the MAPS the other created' {
        foreach ($child in $Children) {
            $child.Process.ExitCode | Should -Be 0 -Because (Get-Content -Raw $child.Output)
        }
        ($Children.Output | ForEach-Object { Get-Content -Raw $_ }) -match 'Joined the MAPS' | Should -HaveCount 1
    }

    It 'write the files one process training both splits writes, with the same weights and training.tsv' {
        $files = Get-MapsFingerprint $Separate
        $files.Count | Should -BeGreaterThan 20
        $files | Should -Be (Get-MapsFingerprint $Together)
        (Get-Content -Raw (Join-Path $Separate 'maps.json') | ConvertFrom-Json).split | Should -Be @(0, 1)
    }

    It 'record where each split ran' {
        foreach ($split in 0, 1) {
            $environment = Get-Content -Raw (Join-Path $Separate "split-$split/environment.txt")
            $environment | Should -Match "# split $split started .* on $([regex]::Escape([Environment]::MachineName)), threads 1, device cpu"
            $environment | Should -Match 'libtorch==\d'
        }
    }
}

Describe 'One writer per split' {
    BeforeEach {
        $script:Maps = Join-Path $TestDrive "copy-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        Copy-Item -Recurse $Together $Maps
    }

    It 'refuses a second writer of a split, naming the live holder' {
        Set-SplitLock $Maps 1
        { Resume-ClinicaDLTraining -MapsPath $Maps -Split 1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'OutputInUse,ClinicaDL.PowerShell.Commands.ResumeClinicaDLTrainingCommand' -ExpectedMessage "*split-1' is being written by another process (process $PID on $([Environment]::MachineName), since earlier)*"
    }

    It 'takes over the lock a dead process left, saying so' {
        Set-SplitLock $Maps 0 -Dead
        $result = Resume-ClinicaDLTraining -MapsPath $Maps -Split 0 -Verbose 4>&1
        ($result | Where-Object { $_ -is [Management.Automation.VerboseRecord] }).Message -match 'Took over the lock' | Should -HaveCount 1
        ($result | Where-Object Split -EQ 0).Status | Should -Be 'Completed'
        Test-Path (Join-Path $Maps '.split-0.lock') | Should -BeFalse
    }

    It 'refuses to start a split the MAPS already has, and to replace a MAPS while one of its splits is trained' {
        { Invoke-Expression "Start-ClinicaDLTraining $Arguments -Split 1 -MapsPath '$Maps' -ErrorAction Stop" } |
            Should -Throw -ExpectedMessage "*already has split(s) 1: Resume-ClinicaDLTraining*"
        # A split locked before its folder exists (a process has just claimed it) counts as trained.
        Remove-Item -Recurse (Join-Path $Maps 'split-0')
        Set-SplitLock $Maps 0
        $before = Get-MapsFingerprint $Maps
        { Invoke-Expression "Start-ClinicaDLTraining $Arguments -Split 0, 1 -MapsPath '$Maps' -Overwrite -Force -ErrorAction Stop" } |
            Should -Throw -ErrorId 'OutputInUse,ClinicaDL.PowerShell.Commands.StartClinicaDLTrainingCommand' -ExpectedMessage "*split 0: process $PID on*"
        Get-MapsFingerprint $Maps | Should -Be $before
    }

    It 'refuses to join a MAPS of another configuration, naming the keys that differ' {
        $other = Join-Path $TestDrive 'one-epoch'
        Invoke-Expression "Start-ClinicaDLTraining $($Arguments -replace '-Epochs 2', '-Epochs 1') -Split 0 -MapsPath '$other'" | Out-Null
        { Invoke-Expression "Start-ClinicaDLTraining $Arguments -Split 1 -MapsPath '$other' -ErrorAction Stop" } |
            Should -Throw -ErrorId 'OutputExists,ClinicaDL.PowerShell.Commands.StartClinicaDLTrainingCommand' -ExpectedMessage '*is a MAPS of another configuration (its maps.json differs in epochs)*'
        (Get-Content -Raw (Join-Path $other 'maps.json') | ConvertFrom-Json).split | Should -Be @(0)
        Test-Path (Join-Path $other 'split-1') | Should -BeFalse
    }
}

Describe 'Splits as local child processes (-ThrottleLimit)' {
    It 'trains each split in its own process and gives the files of one process' {
        $maps = Join-Path $TestDrive 'throttled'
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $results = @(Invoke-Expression "Start-ClinicaDLTraining $Arguments -Split 0, 1 -MapsPath '$maps' -ThrottleLimit 2")
        Write-Host "2 splits: $([Math]::Round($TogetherSeconds, 1)) s in one process, $([Math]::Round($watch.Elapsed.TotalSeconds, 1)) s as 2 local child processes"
        $results.Split | Sort-Object | Should -Be @(0, 1)
        $results.Status | Should -Be @('Completed', 'Completed')
        ($results | Sort-Object Split).ValidationMetrics.BA | Should -Be ((Get-MapsResult -MapsPath $Together -DataGroup validation | Sort-Object Split).BA)
        Get-MapsFingerprint $maps | Where-Object { $_ -notlike 'jobs/*' } | Should -Be (Get-MapsFingerprint $Together)
        $tasks = @(Get-ClinicaDLJob -OutputPath $maps)
        $tasks.State | Should -Be @('COMPLETED', 'COMPLETED')
        $tasks.Progress | Should -Be @('complete', 'complete')
        Get-Content -Raw $tasks[0].LogPath | Should -Match 'Completed'
    }

    It 'reports an output without a job, and refuses -Scheduler Slurm before writing anything where SLURM is absent' {
        { Get-ClinicaDLJob $Together -ErrorAction Stop } | Should -Throw -ErrorId 'JobNotFound,ClinicaDL.PowerShell.Commands.GetClinicaDLJobCommand' -ExpectedMessage '*has no job recorded in jobs/*'
        $path = $env:PATH
        try {
            $env:PATH = Join-Path $TestDrive 'no-slurm'
            # Any case names the scheduler, as ValidateSet accepts it.
            { Invoke-Expression "Start-ClinicaDLTraining $Arguments -MapsPath '$(Join-Path $TestDrive 'no-slurm-maps')' -Scheduler slurm -ErrorAction Stop" } |
                Should -Throw -ErrorId 'SchedulerFailed,ClinicaDL.PowerShell.Commands.StartClinicaDLTrainingCommand' -ExpectedMessage '*sbatch was not found on the PATH*Nothing was written*'
        }
        finally {
            $env:PATH = $path
        }
        Test-Path (Join-Path $TestDrive 'no-slurm-maps') | Should -BeFalse
    }

    It 'refuses SLURM options without -Scheduler Slurm' {
        { Invoke-Expression "Start-ClinicaDLTraining $Arguments -MapsPath '$(Join-Path $TestDrive 'never')' -Partition gpu -ErrorAction Stop" } |
            Should -Throw -ErrorId 'InvalidInput,ClinicaDL.PowerShell.Commands.StartClinicaDLTrainingCommand' -ExpectedMessage '*-Partition ask SLURM for resources: add -Scheduler Slurm*'
        Test-Path (Join-Path $TestDrive 'never') | Should -BeFalse
    }
}

Describe 'Splits as SLURM array tasks' {
    BeforeAll {
        $script:NoSlurm = Get-SlurmAbsence
    }
    BeforeEach {
        if ($NoSlurm) { Set-ItResult -Skipped -Because $NoSlurm }
    }

    It 'submits one task per split and gives the same training.tsv and weights as one local process' {
        # A space in the path: the batch script and sbatch's options must keep it whole.
        $maps = Join-Path $TestDrive 'slurm maps'
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $job = Invoke-Expression "Start-ClinicaDLTraining $Arguments -Split 0, 1 -MapsPath '$maps' -Scheduler Slurm -CpusPerTask 1 -TimeLimit 30"
        $job.JobId | Should -Match '^\d+$'
        $job.ArraySize | Should -Be 2
        $job.OutputPath | Should -Be $maps
        Get-Content -Raw $job.ScriptPath | Should -Match '(?m)^#SBATCH --array=0-1$'
        Get-Content -Raw $job.ScriptPath | Should -Match '(?m)^#SBATCH --time=30$'
        $tasks = @($job | Wait-ClinicaDLJob -Timeout 600)
        Write-Host "2 splits: $([Math]::Round($TogetherSeconds, 1)) s in one process, $([Math]::Round($watch.Elapsed.TotalSeconds, 1)) s through SLURM (submission to the last task's end)"
        $tasks.State | Should -Be @('COMPLETED', 'COMPLETED') -Because (($job.LogPaths | ForEach-Object { Get-Content -Raw $_ }) -join "`n")
        $tasks.Node | Should -Not -BeNullOrEmpty
        $job.LogPaths | ForEach-Object { $_ | Should -Exist }
        Get-MapsFingerprint $maps | Where-Object { $_ -notlike 'jobs/*' } | Should -Be (Get-MapsFingerprint $Together)
        Get-Content -Raw (Join-Path $maps 'split-1/environment.txt') | Should -Match "# split 1 started .*, SLURM job $($job.JobId) task 1, threads 1, device cpu"
    }

    It 'reports a failed task, and Resume-ClinicaDLTraining -Scheduler Slurm resubmits only the unfinished split' {
        $maps = Join-Path $TestDrive 'slurm-resumed'
        Copy-Item -Recurse $Together $maps
        Remove-Item -Recurse (Join-Path $maps 'split-1')
        # A checkpoint that is not one: split 1's task fails on it.
        New-Item -ItemType Directory (Join-Path $maps 'split-1/tmp') | Out-Null
        Set-Content -LiteralPath (Join-Path $maps 'split-1/tmp/checkpoint.pt') -Value 'not a checkpoint'
        $job = Resume-ClinicaDLTraining -MapsPath $maps -Scheduler Slurm
        $job.Parts | Should -Be @(1)
        $failed = $job | Wait-ClinicaDLJob -Timeout 600 -ErrorVariable waitErrors -ErrorAction SilentlyContinue
        $failed.State | Should -Be 'FAILED'
        $failed.ExitCode | Should -Be '1:0'
        $waitErrors[0].FullyQualifiedErrorId | Should -Be 'JobTaskFailed,ClinicaDL.PowerShell.Commands.WaitClinicaDLJobCommand'
        Get-Content -Raw $failed.LogPath | Should -Match 'checkpoint'

        # While another process holds the split, a resume leaves it to that process; then it is resubmitted alone.
        Remove-Item -Recurse (Join-Path $maps 'split-1/tmp')
        Set-SplitLock $maps 1
        Resume-ClinicaDLTraining -MapsPath $maps -Scheduler Slurm -WarningVariable warnings -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        $warnings -match 'Split 1 is being trained by process' | Should -HaveCount 1
        Remove-Item -Force (Join-Path $maps '.split-1.lock')
        $again = Resume-ClinicaDLTraining -MapsPath $maps -Scheduler Slurm
        ($again | Wait-ClinicaDLJob -Timeout 600).State | Should -Be 'COMPLETED'
        Get-MapsFingerprint $maps | Where-Object { $_ -notlike 'jobs/*' } | Should -Be (Get-MapsFingerprint $Together)
        @(Get-ClinicaDLJob -OutputPath $maps -JobId $job.JobId).State | Should -Be 'FAILED'
    }

    It 'passes any sbatch option on, and Stop-ClinicaDLJob cancels the tasks' {
        $maps = Join-Path $TestDrive 'slurm-held'
        # -Device cuda on a machine without a GPU: the MAPS is prepared here all the same, for tasks on GPU nodes.
        $job = Invoke-Expression "Start-ClinicaDLTraining $Arguments -MapsPath '$maps' -Scheduler Slurm -Device cuda -SlurmOption '--begin=now+1hour'"
        (Get-Content -Raw (Join-Path $maps 'maps.json') | ConvertFrom-Json).device | Should -Be 'cuda' 
        Get-Content -Raw $job.ScriptPath | Should -Match '(?m)^#SBATCH --begin=now\+1hour$'
        @(Get-ClinicaDLJob -OutputPath $maps).State | Should -Be @('PENDING', 'PENDING')
        $waited = $job | Wait-ClinicaDLJob -Timeout 1 -ErrorVariable waitErrors -ErrorAction SilentlyContinue
        $waited.State | Should -Be @('PENDING', 'PENDING')
        $waitErrors[0].FullyQualifiedErrorId | Should -Be 'JobWaitTimeout,ClinicaDL.PowerShell.Commands.WaitClinicaDLJobCommand'
        $job | Stop-ClinicaDLJob -Confirm:$false
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        do { $states = @(Get-ClinicaDLJob -OutputPath $maps).State; Start-Sleep -Milliseconds 200 } while ($states -contains 'PENDING' -and [DateTime]::UtcNow -lt $deadline)
        $states | Should -Be @('CANCELLED', 'CANCELLED')
        Test-Path (Join-Path $maps 'split-0') | Should -BeFalse
    }
}
