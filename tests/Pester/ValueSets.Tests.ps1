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
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
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
