# A parameter's ValidateSet spells a list the engine owns (optimisers, augmentations, samplers, tasks, preprocessing
# names): PowerShellStandard 5.1 has no generated sets, so the literal lists must equal the engine's, or a name added
# to the engine is refused by the cmdlet (or one the engine dropped still reaches it).
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Sets = @(
        @{ Command = 'Start-ClinicaDLTraining'; Parameter = 'Optimizer'; Engine = { [ClinicaDL.Core.Training.Optimizers]::Names } }
        @{ Command = 'Start-ClinicaDLTraining'; Parameter = 'DataAugmentation'; Engine = { @('None') + [ClinicaDL.Core.Augmentation.Augmentations]::Names } }
        @{ Command = 'Start-ClinicaDLTraining'; Parameter = 'Sampler'; Engine = { [ClinicaDL.Core.Training.SampleOrder]::Samplers } }
        @{ Command = 'Start-ClinicaDLTraining'; Parameter = 'LearningRateSchedule'; Engine = { [ClinicaDL.Core.Training.LearningRateSchedule]::Names } }
        @{ Command = 'Start-ClinicaDLTraining'; Parameter = 'Task'; Engine = { [ClinicaDL.Core.Training.TrainingTask]::All.Name } }
        @{ Command = 'Export-ClinicaDLTensor'; Parameter = 'Preprocessing'; Engine = { [ClinicaDL.Core.Datasets.CapsQuery]::PreprocessingNames } }
        @{ Command = 'Import-CapsDataset'; Parameter = 'Preprocessing'; Engine = { [ClinicaDL.Core.Datasets.CapsQuery]::PreprocessingNames } }
        @{ Command = 'Get-ClinicaDLNetwork'; Parameter = 'Optimizer'; Engine = { [ClinicaDL.Core.Training.Optimizers]::Names } }
        @{ Command = 'Start-ClinicaDLTraining'; Parameter = 'Scheduler'; Engine = { [ClinicaDL.Core.Cluster.Schedulers]::Names } }
        @{ Command = 'Resume-ClinicaDLTraining'; Parameter = 'Scheduler'; Engine = { [ClinicaDL.Core.Cluster.Schedulers]::Names } }
        @{ Command = 'Start-ClinicaDLRandomSearch'; Parameter = 'Scheduler'; Engine = { [ClinicaDL.Core.Cluster.Schedulers]::Names } }
        @{ Command = 'Invoke-ClinicaDLPreprocessing'; Parameter = 'Scheduler'; Engine = { [ClinicaDL.Core.Cluster.Schedulers]::Names } }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    # Sets that spell no engine list: the cmdlet's own choices, each for the reason given.
    $script:OwnSets = @(
        'Get-MapsResult -Level'                    # the two prediction levels the cmdlet reads
        'New-ClinicaDLSplit -SubsetName'           # the two subset names ClinicaDL's split writes
        'Export-ClinicaDLTensor -SliceMode'        # ClinicaDL's two slice modes
        'Export-ClinicaDLModel -Format'            # spelled from the ModelFormat enum itself
        'New-ClinicaDLSyntheticDataset -Kind'      # the generators this cmdlet chooses between
        'New-ClinicaDLSyntheticDataset -VoxelSize' # the phantom resolutions it draws, in mm
        'New-ClinicaDLSyntheticDataset -Diagnosis' # the diagnoses a random data set can carry
        'Test-ClinicaDLEnvironment -Device'        # the two devices a smoke test runs on
        'Start-ClinicaDLTraining -Compensation'    # ClinicaDL's two reproducibility compensations
        'Invoke-ClinicaDLQualityCheck -Preprocessing' # the one preprocessing it checks
        'Invoke-ClinicaDLPreprocessing -Pipeline'  # the one pipeline it runs, in two spellings
    )
}

Describe 'ValidateSet lists the engine owns' {
    It '<Command> -<Parameter> accepts exactly the engine''s names' -ForEach $Sets {
        $set = (Get-Command $Command).Parameters[$Parameter].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
        $set | Should -Not -BeNullOrEmpty -Because "-$Parameter is validated against a set"
        $engine = @(& $Engine)
        $engine.Count | Should -BeGreaterThan 0
        # Case-insensitive, as ValidateSet matches (the task is spelled Classification here, classification in maps.json).
        @($set.ValidValues | ForEach-Object ToLowerInvariant | Sort-Object) | Should -Be @($engine | ForEach-Object ToLowerInvariant | Sort-Object)
    }
}

Describe 'Every ValidateSet is accounted for' {
    It 'is either an engine list above or one the cmdlet owns' {
        $listed = $Sets | ForEach-Object { "$($_.Command) -$($_.Parameter)" }
        $found = foreach ($command in Get-Command -Module ClinicaDL -CommandType Cmdlet) {
            foreach ($parameter in $command.Parameters.Values) {
                if ($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }) { "$($command.Name) -$($parameter.Name)" }
            }
        }
        @($found).Count | Should -BeGreaterThan 10
        # A new set spelling an engine list goes into the table above; one the cmdlet owns into the list of own sets.
        @($found | Where-Object { $_ -notin $listed -and $_ -notin $OwnSets }) | Should -BeNullOrEmpty
    }
}
