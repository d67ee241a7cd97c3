BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    # The cached study (TestHelpers; Export-ClinicaDLTensor's tests share it), read and never written: its CAPS
    # has no extracted tensors, which a test below relies on.
    $study = Get-TestStudy -ParticipantCount 8 -SessionCount 1 -VoxelSize 3 -Seed 12 -TestSize 2 -KFold 2
    $split = $study.Split
    $folds = $study.Folds
    $script:Caps = $study.Caps
    $script:TestTsv = $split.SubsetPath
    # -NProc 4: more pool threads decode images, so more of them have run libtorch operations during a run with
    # another thread count (the trap these tests are about: libtorch keeps a thread count per OS thread).
    $script:Train = @{ CapsPath = $Caps; TsvPath = (Split-Path $folds[0].Path); Split = 0; Epochs = 2; BatchSize = 2; BootstrapResamples = 20; Normalize = $true; NProc = 4 }

    # Trains one MAPS and predicts the test group with it.
    function script:New-Maps([string] $Name, [hashtable] $Threads) {
        $maps = Join-Path $TestDrive $Name
        Start-ClinicaDLTraining @Train @Threads -OutputPath $maps | Out-Null
        Invoke-ClinicaDLPrediction -MapsPath $maps -DataGroup test -CapsPath $Caps -TsvPath $TestTsv | Out-Null
        return $maps
    }

    $cores = [Environment]::ProcessorCount
    $script:Quiet = @{
        Default = New-Maps 'default-quiet' @{}
        One     = New-Maps 'one-quiet' @{ Threads = 1 }
    }

    # The competitor: a child pwsh spinning one busy loop per logical core, each announcing itself with a file.
    $ready = Join-Path $TestDrive 'burner'
    New-Item -ItemType Directory $ready | Out-Null
    $pwsh = [Environment]::GetCommandLineArgs()[0]
    $prefix = @(if ($pwsh -like '*.dll') { $pwsh })
    $command = "1..$cores | ForEach-Object -ThrottleLimit $cores -Parallel { New-Item -ItemType File (Join-Path '$ready' `$_) | Out-Null; while (`$true) { } }"
    $script:Burner = Start-Process -FilePath ([Environment]::ProcessPath) -ArgumentList ($prefix + @('-NoProfile', '-NonInteractive', '-Command', $command)) -PassThru
    $deadline = [DateTime]::UtcNow.AddMinutes(1)
    while (@(Get-ChildItem -LiteralPath $ready).Count -lt $cores -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
    $script:BurnerStart = $Burner.TotalProcessorTime
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $script:Loaded = @{
        Default = New-Maps 'default-loaded' @{}
        One     = New-Maps 'one-loaded' @{ Threads = 1 }
    }
    $script:LoadedSeconds = $watch.Elapsed.TotalSeconds
    $Burner.Refresh()
    $script:BurnerSeconds = ($Burner.TotalProcessorTime - $BurnerStart).TotalSeconds
    $script:BurnerReady = @(Get-ChildItem -LiteralPath $ready).Count
    $Burner.Kill($true)
}

AfterAll {
    if ($Burner -and -not $Burner.HasExited) { $Burner.Kill($true) }
}

Describe 'Determinism' {
    Context 'a run repeated while another process competes for every core' {
        It 'had the competing process spinning on every core during the loaded runs' {
            $BurnerReady | Should -Be ([Environment]::ProcessorCount)
            # Its share of the cores while the loaded runs trained (about a quarter on a 2-core machine that other
            # processes load too): well above nothing, or these runs were quiet too.
            $BurnerSeconds | Should -BeGreaterThan (0.1 * $LoadedSeconds)
        }

        It 'trains to the same bytes as the quiet run with <Name>' -ForEach @(
            @{ Name = "libtorch's default threads"; Key = 'Default' }
            @{ Name = '-Threads 1 (batches prepared on a second thread)'; Key = 'One' }
        ) {
            $files = Get-MapsFingerprint $Loaded[$Key] | Where-Object { $_ -notlike '*/test/*' }
            $files | Should -Not -BeNullOrEmpty
            $files | Should -Be (Get-MapsFingerprint $Quiet[$Key] | Where-Object { $_ -notlike '*/test/*' })
            $files -like 'split-0/best-loss/model.pt: *' | Should -HaveCount 1
            $files -like 'split-0/training_logs/training.tsv: *' | Should -HaveCount 1
        }

        It 'predicts the same bytes as the quiet run with <Name>' -ForEach @(
            @{ Name = "libtorch's default threads"; Key = 'Default' }
            @{ Name = '-Threads 1'; Key = 'One' }
        ) {
            $files = Get-MapsFingerprint $Loaded[$Key] '*/test/*'
            $files -like '*/test/test_image_level_prediction.tsv: *' | Should -HaveCount 1
            $files | Should -Be (Get-MapsFingerprint $Quiet[$Key] '*/test/*')
        }

        It 'gives other bytes with another thread count, so a run on the wrong count would be seen' {
            if ((Get-ClinicaDLEnvironment).TorchThreads -lt 2) { Set-ItResult -Skipped -Because "libtorch's default here is 1 thread, as -Threads 1" }
            (Get-MapsFingerprint $Quiet.One 'split-0/best-loss/model.pt*') | Should -Not -Be (Get-MapsFingerprint $Quiet.Default 'split-0/best-loss/model.pt*')
        }
    }

    Context 'the images read from extracted tensors and from the NIfTI files' {
        BeforeAll {
            # A copy of the CAPS whose images are extracted, so that the original keeps decoding its NIfTI files.
            $script:Extracted = Join-Path $TestDrive 'caps-extracted'
            Copy-Item -LiteralPath $Caps -Destination $Extracted -Recurse
            Export-ClinicaDLTensor $Extracted Image | Out-Null
            # The bytes of the batch of every image of a CAPS, as training prepares it.
            function script:Get-BatchBytes([string] $CapsPath, [bool] $Normalize) {
                $values = [Collections.Generic.Dictionary[string, object]]::new()
                $values['network_task'] = 'classification'
                $values['normalize'] = $Normalize
                $config = [ClinicaDL.Core.Training.TrainingConfig]::Build([NullString]::Value, $values, $null)
                $paths = [string[]] (Get-ChildItem -Path (Join-Path $CapsPath 'subjects') -Recurse -Filter '*_T1w.nii.gz' | Sort-Object FullName | ForEach-Object FullName)
                $images = [ClinicaDL.Core.Training.ImageTensors]::new($paths, $config, 2, [Threading.CancellationToken]::None, $null)
                try {
                    $samples = [ClinicaDL.Core.Training.LabeledImage[]] @($paths | ForEach-Object { [ClinicaDL.Core.Training.LabeledImage]::new('sub', 'ses', 'CN', $_, 0) })
                    $batch = $images.Batch($samples)
                    $floats = [float[]] $batch.data[float]().ToArray()
                    $bytes = [byte[]]::new($floats.Length * 4)
                    [Buffer]::BlockCopy($floats, 0, $bytes, 0, $bytes.Length)
                    [pscustomobject]@{ OnDisk = $images.OnDiskCount; Bytes = $bytes }
                    $batch.Dispose()
                }
                finally {
                    $images.Dispose()
                }
            }
        }

        It 'gives training the same float32 bytes, <Name>' -ForEach @(
            @{ Name = 'min-max normalised'; Normalize = $true }
            @{ Name = 'as stored'; Normalize = $false }
        ) {
            $decoded = Get-BatchBytes $Caps $Normalize
            $read = Get-BatchBytes $Extracted $Normalize
            $decoded.OnDisk | Should -Be 0
            $read.OnDisk | Should -Be 8
            $read.Bytes.Length | Should -Be (8 * 57 * 70 * 60 * 4)
            [Linq.Enumerable]::SequenceEqual($read.Bytes, $decoded.Bytes) | Should -BeTrue
        }
    }

    Context 'a run on a thread left with another libtorch thread count' {
        BeforeAll {
            # libtorch keeps a thread count per OS thread: a pool thread that once worked for a -Threads 1 run kept
            # computing with 1 thread, and CI's scheduler once gave the next run that thread (a loss of 0.7022588650
            # instead of 0.7022589445). The cmdlets' pool threads cannot be chosen from here, so the engine trains on
            # this thread, left with 1 thread as such a pool thread was; the prediction runs here too.
            $values = [Collections.Generic.Dictionary[string, object]]::new()
            $values['network_task'] = 'classification'
            # Cast: a PowerShell-wrapped value would reach the JSON serializer as its PSObject.
            $values['caps_directory'] = [string] $Caps
            $values['tsv_path'] = [string] $Train.TsvPath
            $values['split'] = [int[]] @(0)
            $values['epochs'] = 2
            $values['batch_size'] = 2
            $values['bootstrap_resamples'] = 20
            $values['normalize'] = $true
            $values['n_proc'] = 4
            $config = [ClinicaDL.Core.Training.TrainingConfig]::Build([NullString]::Value, $values, $null)
            $script:Leftover = Join-Path $TestDrive 'default-leftover'
            # The quiet run's environment.txt, so that this MAPS can be compared file by file.
            $environment = [IO.File]::ReadAllText((Join-Path $Quiet.Default 'environment.txt'))
            $before = [TorchSharp.torch]::get_num_threads()
            [TorchSharp.torch]::set_num_threads(1)
            try {
                $script:Result = [ClinicaDL.Core.Workflows.Trainer]::Train($config, $Leftover, $false, $environment, $null, $null, [Threading.CancellationToken]::None)
                Invoke-ClinicaDLPrediction -MapsPath $Leftover -DataGroup test -CapsPath $Caps -TsvPath $TestTsv | Out-Null
                $script:After = [TorchSharp.torch]::get_num_threads()
            }
            finally {
                [TorchSharp.torch]::set_num_threads($before)
            }
        }

        It 'trains and predicts to the same bytes as the quiet run' {
            $Result.Status | Should -Be 'Completed'
            Get-MapsFingerprint $Leftover | Should -Be (Get-MapsFingerprint $Quiet.Default)
        }

        It 'gives the thread its own count back' {
            $After | Should -Be 1
        }
    }
}
