BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Suffix = ',ClinicaDL.PowerShell.Commands.StartClinicaDLTrainingCommand'
    # The cached study (TestHelpers): read here, never written; Invoke-ClinicaDLPrediction and
    # Resume-ClinicaDLTraining's tests share it.
    $script:Study = Get-TestStudy -ParticipantCount 14 -SessionCount 1 -VoxelSize 3 -Seed 2 -TestSize 4 -KFold 2
    $script:Split = $Study.Split
    $script:Folds = $Study.Folds
    $script:KFold = $Study.KFold
    $script:Caps = $Study.Caps
    $script:Common = @{ CapsPath = $Caps; TsvPath = $KFold; Epochs = 2; BatchSize = 4; LearningRate = 5e-4; BootstrapResamples = 200 }

    # training.tsv without its time column, which measures the machine rather than the training.
    function Get-LogWithoutTime([string] $maps, [int] $split = 0) {
        Get-Content (Join-Path $maps "split-$split/training_logs/training.tsv") | ForEach-Object { ($_ -split "`t" | Select-Object -Index (@(0, 1) + 3..40)) -join "`t" }
    }
    function Get-FileHashText([string] $path) { (Get-FileHash -LiteralPath $path -Algorithm SHA256).Hash }
}

Describe 'Start-ClinicaDLTraining' {
    Context 'a classification run on two folds' {
        BeforeAll {
            $script:Maps = Join-Path $TestDrive 'maps'
            $script:Results = Start-ClinicaDLTraining @Common -OutputPath $Maps -SelectionMetrics loss, BA
        }

        It 'emits one completed result per split' {
            $Results.Split | Should -Be @(0, 1)
            $Results.Status | Should -Be @('Completed', 'Completed')
            $Results[0].BestEpoch.Keys | Sort-Object | Should -Be @('BA', 'loss')
        }

        It 'writes ClinicaDL''s MAPS tree' {
            foreach ($file in 'maps.json', 'environment.txt', 'information.log', 'groups/train+validation.tsv',
                'groups/train/split-0/data.tsv', 'groups/train/split-1/maps.json', 'groups/validation/split-1/data.tsv',
                'split-0/training_logs/training.tsv', 'split-0/best-loss/model.pt', 'split-1/best-BA/model.pt',
                'split-0/best-loss/validation/description.log', 'split-0/best-BA/train/train_image_level_prediction.tsv',
                'split-1/best-loss/validation/validation_image_level_metrics.tsv') {
                Join-Path $Maps $file | Should -Exist
            }
            Join-Path $Maps 'split-0/tmp' | Should -Not -Exist
        }

        It 'records the configuration and the seed actually used in maps.json' {
            $json = Get-Content (Join-Path $Maps 'maps.json') -Raw | ConvertFrom-Json
            $json.architecture | Should -Be 'Conv5_FC3'
            $json.seed | Should -Be 0
            $json.epochs | Should -Be 2
            $json.label_code.AD | Should -Be 0
            $json.label_code.CN | Should -Be 1
            $json.input_size | Should -Be @(1, 57, 70, 60)
            $json.validation | Should -Be 'KFoldSplit'
            (Get-Content (Join-Path $Maps 'environment.txt') -Raw) | Should -Match 'torchsharp==0\.107\.0'
        }

        It 'lists every participant seen in training in train+validation.tsv' {
            (Import-Csv (Join-Path $Maps 'groups/train+validation.tsv') -Delimiter "`t").participant_id | Sort-Object -Unique |
                Should -Be ((Import-Csv $Split.TrainPath -Delimiter "`t").participant_id | Sort-Object -Unique)
        }

        It 'writes a training.tsv row per epoch with ClinicaDL''s columns' {
            $log = Import-Csv (Join-Path $Maps 'split-0/training_logs/training.tsv') -Delimiter "`t"
            $log.Count | Should -Be 2
            $columns = $log[0].PSObject.Properties.Name
            $columns[0..2] | Should -Be @('epoch', 'iteration', 'time')
            $columns | Should -Contain 'BA_train'
            $columns | Should -Contain 'loss_valid'
            (Get-MapsTrainingLog $Maps).Count | Should -Be 4
            (Get-MapsTrainingLog $Maps | Format-Table | Out-String -Width 200) | Should -Match 'Split\s+epoch\s+loss_train\s+loss_valid'
        }

        It 'writes predictions and transposed metrics with confidence intervals' {
            $predictions = Import-Csv (Join-Path $Maps 'split-0/best-loss/validation/validation_image_level_prediction.tsv') -Delimiter "`t"
            $predictions[0].PSObject.Properties.Name | Should -Be @('participant_id', 'session_id', 'image_id', 'true_label', 'predicted_label', 'proba0', 'proba1')
            $metrics = Get-Content (Join-Path $Maps 'split-0/best-loss/validation/validation_image_level_metrics.tsv') | ForEach-Object { ($_ -split "`t")[0] }
            $metrics | Should -Be @('Metrics', 'Values', 'Lower bound CI', 'Upper bound CI', 'SE')
            $result = Get-MapsResult $Maps -DataGroup validation -Split 0 -SelectionMetric loss
            $result.BA | Should -BeGreaterOrEqual $result.BA_Lower
            $result.BA | Should -BeLessOrEqual $result.BA_Upper
            ($result | Format-Table | Out-String -Width 200) | Should -Match 'DataGroup\s+Split\s+SelectionMetric\s+BA\s+Sensitivity\s+Specificity\s+AUC'
        }

        It 'refuses an existing MAPS without -Overwrite' {
            { Start-ClinicaDLTraining @Common -OutputPath $Maps } | Should -Throw -ErrorId "OutputExists$Suffix"
        }
    }

    Context 'inputs it refuses before writing anything' {
        It 'names the shape an architecture needs' {
            $maps = Join-Path $TestDrive 'resnet'
            $failure = { Start-ClinicaDLTraining @Common -OutputPath $maps -Architecture ResNet3D } | Should -Throw -ErrorId "InvalidInput$Suffix" -PassThru
            $failure.Exception.Message | Should -Match '1x169x208x179'
            $maps | Should -Not -Exist
        }

        It 'lists the sessions whose CAPS image is missing' {
            $folder = Join-Path $TestDrive 'missing'
            New-Item -ItemType Directory $folder | Out-Null
            Copy-Item $Folds[0].TrainPath (Join-Path $folder 'train.tsv')
            Add-Content (Join-Path $folder 'train.tsv') "sub-999`tses-M000`t70`tF`tAD"
            Copy-Item $Folds[0].SubsetPath (Join-Path $folder 'validation_baseline.tsv')
            $failure = { Start-ClinicaDLTraining -CapsPath $Caps -TsvPath $folder -OutputPath (Join-Path $TestDrive 'm2') -Epochs 1 } | Should -Throw -ErrorId "InvalidTable$Suffix" -PassThru
            $failure.Exception.Message | Should -Match 'sub-999 ses-M000'
        }
    }

    Context 'trust: nothing written before every input is checked' {
        It 'refuses <Case> with InvalidInput naming the key, and creates no MAPS' -ForEach @(
            @{ Case = 'an unknown loss'; Arguments = @{ Loss = 'Foo' }; Message = '*loss*' }
            @{ Case = 'a loss of another task'; Arguments = @{ Task = 'Regression'; Loss = 'CrossEntropyLoss' }; Message = '*not a regression loss*' }
            @{ Case = 'a negative learning rate'; Arguments = @{ LearningRate = -1 }; Message = '*learning_rate: expected a positive number; got -1*' }
            @{ Case = 'a dropout of 2'; Arguments = @{ Dropout = 2 }; Message = '*dropout: expected a probability in `[0, 1)*' }
            @{ Case = 'a negative thread count'; Arguments = @{ Threads = -2 }; Message = '*threads*' }
            @{ Case = 'an unknown device'; Arguments = @{ Device = 'gpu9' }; Message = '*device: expected cpu, cuda or cuda:N*' }
            @{ Case = 'a transfer source that does not exist'; Arguments = @{ TransferPath = 'nope' }; Message = '*transfer_path*' }
            @{ Case = 'a step schedule that raises the rate'; Arguments = @{ LearningRateSchedule = 'step'; LearningRateGamma = 2 }; Message = '*learning_rate_gamma: expected a factor in (0, 1*; got 2.*' }
            @{ Case = 'a warm-up as long as the run'; Arguments = @{ LearningRateWarmupEpochs = 2 }; Message = '*learning_rate_warmup_epochs: expected zero or fewer epochs than epochs (2)*; got 2.*' }
            @{ Case = 'the adaptive rate with a cosine schedule'; Arguments = @{ AdaptiveLearningRate = $true; LearningRateSchedule = 'cosine' }; Message = '*adaptive_learning_rate*cannot be combined with learning_rate_schedule = cosine*' }
        ) {
            $maps = Join-Path $TestDrive "refused-$($Case -replace '\W', '')"
            $parameters = $Common.Clone()
            $Arguments.Keys | ForEach-Object { $parameters[$_] = $Arguments[$_] }
            { Start-ClinicaDLTraining @parameters -OutputPath $maps -ErrorAction Stop } | Should -Throw -ErrorId "InvalidInput$Suffix" -ExpectedMessage $Message
            $maps | Should -Not -Exist
            Get-ChildItem -Force $TestDrive -Filter '.refused*' | Should -BeNullOrEmpty -Because 'no staging folder or lock is left behind'
        }

        It 'never deletes a folder that is not a MAPS, even with -Overwrite -Force' {
            $study = Join-Path $TestDrive 'study'
            New-Item -ItemType Directory (Join-Path $study 'important') | Out-Null
            Set-Content (Join-Path $study 'important/data.txt') 'mine'
            { Start-ClinicaDLTraining @Common -OutputPath $study -Split 0 -Epochs 1 -Overwrite -Force } | Should -Throw -ErrorId "ForeignContent$Suffix" -ExpectedMessage '*no maps.json*important*'
            Get-Content (Join-Path $study 'important/data.txt') | Should -Be 'mine'
        }

        It 'replaces its own MAPS with -Overwrite, and refuses it once a foreign file is added' {
            $maps = Join-Path $TestDrive 'replaced'
            Start-ClinicaDLTraining @Common -OutputPath $maps -Split 0 -Epochs 1 | Out-Null
            Start-ClinicaDLTraining @Common -OutputPath $maps -Split 1 -Epochs 1 -Overwrite -Force | Out-Null
            Join-Path $maps 'split-1/best-loss/model.pt' | Should -Exist
            Join-Path $maps 'split-0' | Should -Not -Exist
            Set-Content (Join-Path $maps 'my-notes.txt') 'mine'
            { Start-ClinicaDLTraining @Common -OutputPath $maps -Split 0 -Epochs 1 -Overwrite -Force } | Should -Throw -ErrorId "ForeignContent$Suffix" -ExpectedMessage '*my-notes.txt*'
            Get-Content (Join-Path $maps 'my-notes.txt') | Should -Be 'mine'
            Join-Path $maps 'split-1/best-loss/model.pt' | Should -Exist
        }

        It 'refuses a split with a participant on both sides or a session listed twice, naming them, unless -AllowDataLeakage (recorded)' {
            $leaky = Join-Path $TestDrive 'leaky'
            New-Item -ItemType Directory $leaky | Out-Null
            $train = @(Get-Content $Folds[0].TrainPath)
            $validation = @(Get-Content $Folds[0].SubsetPath)
            $moved = ($train[1] -split "`t")[0]
            Set-Content (Join-Path $leaky 'train.tsv') ($train + $train[2])
            Set-Content (Join-Path $leaky 'validation_baseline.tsv') ($validation + $train[1])
            $maps = Join-Path $TestDrive 'leaky-maps'
            $failure = { Start-ClinicaDLTraining -CapsPath $Caps -TsvPath $leaky -OutputPath $maps -Epochs 1 -BatchSize 4 } | Should -Throw -ErrorId "DataLeakage$Suffix" -PassThru
            $failure.Exception.Message | Should -Match "ParticipantOnBothSides.*$moved"
            $failure.Exception.Message | Should -Match "DuplicateRows.*$(($train[2] -split "`t")[0])"
            $maps | Should -Not -Exist
            Start-ClinicaDLTraining -CapsPath $Caps -TsvPath $leaky -OutputPath $maps -Epochs 1 -BatchSize 4 -AllowDataLeakage | Out-Null
            $json = Get-Content (Join-Path $maps 'maps.json') -Raw | ConvertFrom-Json
            $json.data_leakage_override | Should -BeTrue
            $json.data_leakage_findings.Count | Should -Be 2
            Get-Content (Join-Path $maps 'information.log') -Raw | Should -Match 'Data leakage allowed'
        }
    }

    Context 'trust: one writer at a time' {
        It 'refuses a MAPS whose lock a live process holds, naming it, and takes over the lock of a dead one' {
            $maps = Join-Path $TestDrive 'locked'
            $lock = Join-Path $TestDrive '.locked.lock'
            $me = Get-Process -Id $PID
            @{ pid = $PID; host = [Environment]::MachineName; process_start = $me.StartTime.ToUniversalTime().ToString('o'); acquired = 'now' } | ConvertTo-Json | Set-Content $lock
            { Start-ClinicaDLTraining @Common -OutputPath $maps -Split 0 -Epochs 1 } | Should -Throw -ErrorId "OutputInUse$Suffix" -ExpectedMessage "*process $PID on*"
            $maps | Should -Not -Exist
            @{ pid = 999999; host = [Environment]::MachineName; process_start = '2020-01-01T00:00:00Z'; acquired = 'then' } | ConvertTo-Json | Set-Content $lock
            Start-ClinicaDLTraining @Common -OutputPath $maps -Split 0 -Epochs 1 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } |
                ForEach-Object Message | Should -Contain "Took over the lock of '$maps' left by process 999999 on $([Environment]::MachineName), since then, which no longer runs."
            $lock | Should -Not -Exist
            Join-Path $maps 'split-0/best-loss/model.pt' | Should -Exist
        }
    }

    Context 'reproducibility' {
        It 'gives the same training.tsv and weights for the same configuration, and replays from maps.json' {
            $first = Join-Path $TestDrive 'same-1'
            $second = Join-Path $TestDrive 'same-2'
            $replay = Join-Path $TestDrive 'replay'
            Start-ClinicaDLTraining @Common -OutputPath $first -Split 0 -Seed 5 | Out-Null
            # The second run's data paths are relative, in a configuration file: found from PowerShell's location, which
            # is not the process's current directory.
            $relative = Join-Path $TestDrive 'relative.toml'
            $from = Split-Path -Parent $Caps
            Set-Content $relative ("[Data]`ncaps_directory = '{0}'" -f [IO.Path]::GetRelativePath($from, $Caps))
            $common = $Common.Clone(); $common.Remove('CapsPath')
            Push-Location $from
            try {
                [Environment]::CurrentDirectory | Should -Not -Be $from
                Start-ClinicaDLTraining @common -ConfigPath $relative -OutputPath $second -Split 0 -Seed 5 | Out-Null
            }
            finally { Pop-Location }
            Start-ClinicaDLTraining -ConfigPath (Join-Path $first 'maps.json') -OutputPath $replay | Out-Null
            Get-LogWithoutTime $second | Should -Be (Get-LogWithoutTime $first)
            Get-LogWithoutTime $replay | Should -Be (Get-LogWithoutTime $first)
            Get-FileHashText (Join-Path $second 'split-0/best-loss/model.pt') | Should -Be (Get-FileHashText (Join-Path $first 'split-0/best-loss/model.pt'))
        }
    }

    Context 'transfer learning and failures' {
        It 'starts from a source MAPS and counts its participants as seen' {
            $source = Join-Path $TestDrive 'source'
            $target = Join-Path $TestDrive 'target'
            # The cached MAPS of Start-ClinicaDLTraining @Common -Split 0, copied: this test adds to it.
            Get-TestMaps -Study $Study -Training ($Common + @{ Split = 0 }) -CopyTo $source | Out-Null
            # The source saw an extra participant, as a pre-training cohort would.
            Add-Content (Join-Path $source 'groups/train+validation.tsv') "sub-900`tses-M000"
            Start-ClinicaDLTraining @Common -OutputPath $target -Split 0 -TransferPath $source | Out-Null
            (Get-Content (Join-Path $target 'maps.json') -Raw | ConvertFrom-Json).transfer_path | Should -Be $source
            (Import-Csv (Join-Path $target 'groups/train+validation.tsv') -Delimiter "`t").participant_id | Should -Contain 'sub-900'
        }

        It 'stops a split whose loss is not finite with a clear message and keeps the MAPS' {
            $maps = Join-Path $TestDrive 'diverged'
            $results = Start-ClinicaDLTraining @Common -OutputPath $maps -LearningRate 1e12 -Optimizer SGD -ErrorVariable failures -ErrorAction SilentlyContinue
            $results.Status | Should -Contain 'Failed'
            ($results | Where-Object Status -eq 'Failed')[0].Message | Should -Match 'learning rate'
            $failures[0].FullyQualifiedErrorId | Should -Be "TrainingFailed$Suffix"
            Join-Path $maps 'groups/train+validation.tsv' | Should -Exist
        }

        It 'refuses options it cannot honour instead of ignoring them' {
            $maps = Join-Path $TestDrive 'evaluation-steps'
            $failure = { Start-ClinicaDLTraining @Common -OutputPath $maps -EvaluationSteps 2 } | Should -Throw -ErrorId "InvalidInput$Suffix" -PassThru
            $failure.Exception.Message | Should -Match 'evaluation_steps > 0'
            $maps | Should -Not -Exist
        }

        It 'refuses <Key> = <Value> in a configuration file, which would change training, and creates no MAPS' -ForEach @(
            @{ Section = 'Model'; Key = 'ssda_network'; Value = 'true'; Message = '*ssda_network = true trains Conv5_FC3_SSDA only*' }
            @{ Section = 'Computational'; Key = 'fully_sharded_data_parallel'; Value = 'true'; Message = '*fully_sharded_data_parallel*(got true;*' }
            @{ Section = 'Data'; Key = 'caps_target'; Value = '"/data/target"'; Message = '*caps_target describe the target data of semi-supervised domain adaptation, which needs ssda_network = true*' }
        ) {
            $config = Join-Path $TestDrive "$Key.toml"
            Set-Content -LiteralPath $config -Value "[$Section]`n$Key = $Value"
            $maps = Join-Path $TestDrive "refused-$Key"
            { Start-ClinicaDLTraining @Common -ConfigPath $config -OutputPath $maps -ErrorAction Stop } | Should -Throw -ErrorId "InvalidInput$Suffix" -ExpectedMessage $Message
            $maps | Should -Not -Exist
        }

        It 'takes domain adaptation''s target data as parameters and refuses a missing target CAPS by its path' {
            $maps = Join-Path $TestDrive 'ssda'
            $missing = Join-Path $TestDrive 'no-target-caps'
            $failure = { Start-ClinicaDLTraining @Common -OutputPath $maps -Architecture Conv5_FC3_SSDA -SsdaNetwork -TargetCapsPath $missing `
                -TargetTsvPath (Join-Path $TestDrive 'no-split') -TargetUnlabeledTsvPath (Join-Path $TestDrive 'no.tsv') -TargetExtractJson image.json } |
                Should -Throw -ErrorId "InvalidInput$Suffix" -PassThru
            $failure.Exception.Message | Should -BeLike "*caps_target: the target CAPS '$missing' does not exist*"
            $maps | Should -Not -Exist
        }

        It 'names in one warning the keys of ClinicaDL''s maps.json that change nothing here' {
            $shared = Get-SharedTestData
            if (-not $shared) { Set-ItResult -Skipped -Because $SharedTestDataAbsent; return }
            Start-ClinicaDLTraining -ConfigPath (Join-Path $shared 'clinicadl-maps/maps/maps.json') -OutputPath (Join-Path $TestDrive 'from-clinicadl') -WhatIf -WarningVariable warnings 3>$null
            $warnings.Count | Should -Be 1
            foreach ($key in 'normalization', 'fully_sharded_data_parallel', 'use_extracted_features', 'validation', 'num_networks', 'output_size', 'input_size') {
                "$($warnings[0])" | Should -BeLike "*$key*"
            }
        }
    }

    Context 'learning-rate schedules' {
        It 'trains each epoch with the scheduled rate and logs it in training.tsv''s learning_rate column' {
            # Warm-up 1 of 4 epochs, then cosine over T = 3 towards 1e-5: 5e-4 / 2, then 1e-5 + 4.9e-4 (1 + cos(pi t / 3)) / 2
            # for t = 0, 1, 2, that is 5e-4, 1e-5 + 4.9e-4 · 0.75 and 1e-5 + 4.9e-4 · 0.25.
            $maps = Join-Path $TestDrive 'cosine'
            $parameters = $Common.Clone()
            @{ Split = 0; Epochs = 4; LearningRateSchedule = 'Cosine'; LearningRateMin = 1e-5; LearningRateWarmupEpochs = 1 }.GetEnumerator() | ForEach-Object { $parameters[$_.Key] = $_.Value }
            (Start-ClinicaDLTraining @parameters -OutputPath $maps).Status | Should -Be 'Completed'
            $rates = @(Import-Csv (Join-Path $maps 'split-0/training_logs/training.tsv') -Delimiter "`t" | ForEach-Object { [double]::Parse($_.learning_rate, [cultureinfo]::InvariantCulture) })
            $expected = @(2.5e-4, 5e-4, (1e-5 + 4.9e-4 * 0.75), (1e-5 + 4.9e-4 * 0.25))
            $rates.Count | Should -Be 4
            0..3 | ForEach-Object { $rates[$_] | Should -BeGreaterThan ($expected[$_] - 1e-15) -Because "epoch $_"; $rates[$_] | Should -BeLessThan ($expected[$_] + 1e-15) -Because "epoch $_" }
            $json = Get-Content (Join-Path $maps 'maps.json') -Raw | ConvertFrom-Json
            $json.learning_rate_schedule | Should -Be 'cosine' -Because 'the key holds the engine''s spelling whatever the parameter''s case'
            $json.learning_rate_warmup_epochs | Should -Be 1
            $json.adaptive_learning_rate | Should -BeFalse
            (Get-MapsTrainingLog $maps | Format-Table | Out-String -Width 200) | Should -Match 'learning_rate[\s\S]*2\.5E-04'
        }

        It 'trains with ClinicaDL''s -AdaptiveLearningRate, recorded in maps.json, at the full rate until a plateau' {
            # Ten epochs without improvement come first: a two-epoch run keeps the rate (the reductions are the unit tests').
            $maps = Join-Path $TestDrive 'adaptive'
            (Start-ClinicaDLTraining @Common -OutputPath $maps -Split 0 -AdaptiveLearningRate).Status | Should -Be 'Completed'
            (Get-Content (Join-Path $maps 'maps.json') -Raw | ConvertFrom-Json).adaptive_learning_rate | Should -BeTrue
            (Import-Csv (Join-Path $maps 'split-0/training_logs/training.tsv') -Delimiter "`t").learning_rate | Should -Be @('0.0005', '0.0005')
        }
    }

    Context 'mixed precision (-Amp)' {
        It 'refuses -Amp on a CPU, saying why, and writes nothing' {
            # bfloat16 pays only through oneDNN's AVX-512 BF16 kernels, which the runtime keeps off (libtorch 2.10's
            # AVX-512 kernels return wrong values); without bfloat16 instructions it is refused for that first.
            $maps = Join-Path $TestDrive 'amp'
            $failure = { Start-ClinicaDLTraining @Common -OutputPath $maps -Split 0 -Amp } | Should -Throw -ErrorId "InvalidInput$Suffix" -PassThru
            $expected = if ((Get-ClinicaDLEnvironment).Bfloat16Arithmetic) { 'keeps oneDNN at AVX2 because libtorch 2\.10[.0-9]*''s AVX-512 kernels return wrong values' } else { 'no bfloat16 arithmetic' }
            $failure.Exception.Message | Should -Match "amp \(mixed precision\)[\s\S]*$expected"
            $maps | Should -Not -Exist
        }
    }

    Context 'a regression run' {
        It 'predicts age and reports R2, MAE and RMSE' {
            $maps = Join-Path $TestDrive 'regression'
            $result = Start-ClinicaDLTraining @Common -OutputPath $maps -Task Regression -Label age -Split 0 -SelectionMetrics loss, MAE
            $result.Status | Should -Be 'Completed'
            $metrics = Get-MapsResult $maps -DataGroup validation -SelectionMetric MAE
            $metrics.MAE | Should -BeGreaterThan 0
            $metrics.PSObject.Properties.Name | Should -Contain 'R2_score'
            ($metrics | Format-Table | Out-String -Width 200) | Should -Match 'DataGroup\s+Split\s+SelectionMetric\s+R2\s+MAE\s+RMSE'
            (Get-Content (Join-Path $maps 'split-0/training_logs/training.tsv') -TotalCount 1) | Should -Match 'R2_score_train'
        }
    }

    Context 'a split or a preprocessing the inputs do not have' {
        BeforeAll {
            # The study the help examples run on (cached, shared with Get-MapsResult's tests and others): the
            # messages count its 12 sessions and its splits 0 and 1.
            $named = Get-TestStudy -ParticipantCount 12 -SessionCount 1 -VoxelSize 3 -Seed 4 -TestSize 4 -KFold 2
            $Caps = $named.Caps
            $Split = $named.Split
            function Get-Suffix([string] $cmdlet) { ",ClinicaDL.PowerShell.Commands.$($cmdlet -replace '-', '')Command" }
        }

        It 'Start-ClinicaDLTraining refuses <What>, listing what exists, before creating the MAPS' -ForEach @(
            @{ What = 'a split the folder lacks'; Arguments = @{ Split = 0, 7 }; ErrorId = 'MapsItemNotFound'; Message = "The split folder '*2_fold' has no split 7 (it has: 0, 1)." }
            @{ What = 'a preprocessing the CAPS lacks'; Arguments = @{ Preprocessing = 'flair-linear' }; ErrorId = 'DatasetItemNotFound'; Message = "The CAPS '*' has no flair-linear image (subjects/sub-*/ses-*/**/*_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_flair.nii.gz) (it has: t1_linear/*_T1w.nii.gz (12 sessions))." }
        ) {
            $maps = Join-Path $TestDrive 'refused'
            { Start-ClinicaDLTraining -CapsPath $Caps -TsvPath (Join-Path $Split.Path '2_fold') -MapsPath $maps -Epochs 1 @Arguments } |
                Should -Throw -ErrorId "$ErrorId$(Get-Suffix Start-ClinicaDLTraining)" -ExpectedMessage $Message
            $maps | Should -Not -Exist
        }
    }
}
