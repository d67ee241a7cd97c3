@{
    RootModule           = 'ClinicaDL.PowerShell.dll'
    # The engine's types (NiftiImage, AffineMatrix, NiftiWriter...) are usable in scripts right after Import-Module.
    RequiredAssemblies   = @('ClinicaDL.Core.dll')
    ModuleVersion        = '0.1.0'
    GUID                 = '5d0f6c7e-3c1b-4c36-9f5e-2b8f1c4a7d21'
    Author               = 'ClinicaDL for PowerShell contributors'
    Copyright            = '(c) ClinicaDL for PowerShell contributors. MIT licence.'
    Description          = 'Reproducible deep learning on neuroimaging data (BIDS, CAPS, NIfTI, MAPS) for PowerShell, over TorchSharp.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('ClinicaDL.Format.ps1xml')
    CmdletsToExport      = @(
        'Add-ClinicaDLProgression'
        'Export-ClinicaDLModel'
        'Export-ClinicaDLTensor'
        'Export-MapsReport'
        'Get-ClinicaDLDemographics'
        'Get-ClinicaDLEnvironment'
        'Get-ClinicaDLLabel'
        'Get-ClinicaDLNetwork'
        'Get-MapsInfo'
        'Get-MapsResult'
        'Get-MapsTrainingLog'
        'Import-BidsDataset'
        'Import-CapsDataset'
        'Invoke-ClinicaDLInterpretation'
        'Invoke-ClinicaDLPreprocessing'
        'Invoke-ClinicaDLPrediction'
        'New-ClinicaDLSplit'
        'New-ClinicaDLSyntheticDataset'
        'Read-NiftiImage'
        'Resume-ClinicaDLTraining'
        'Start-ClinicaDLTraining'
        'Test-ClinicaDLDataLeakage'
        'Test-ClinicaDLEnvironment'
        'ConvertTo-BidsDataset'
        'Test-BidsDataset'
        'Invoke-ClinicaDLQualityCheck'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('neuroimaging', 'deep-learning', 'BIDS', 'NIfTI', 'MRI', 'ClinicaDL', 'TorchSharp')
            ProjectUri = 'https://github.com/aramis-lab/clinicadl'
        }
    }
}
