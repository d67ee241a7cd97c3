@{
    RootModule           = 'ClinicaDL.PowerShell.dll'
    # The engine's types (NiftiImage, AffineMatrix, NiftiWriter...) are usable in scripts right after Import-Module.
    RequiredAssemblies   = @('ClinicaDL.Core.dll')
    ModuleVersion        = '0.1.0'
    GUID                 = '5d0f6c7e-3c1b-4c36-9f5e-2b8f1c4a7d21'
    Author               = 'ClinicaDL for PowerShell contributors'
    CompanyName          = 'ClinicaDL for PowerShell contributors'
    Copyright            = '(c) ClinicaDL for PowerShell contributors. MIT licence.'
    Description          = 'Reproducible deep learning on neuroimaging data (BIDS, CAPS, NIfTI, MAPS) for PowerShell, over TorchSharp: ClinicaDL 1.6''s commands and formats as cmdlets. After installing, run Install-ClinicaDLRuntime once to get the libtorch runtime (CPU, or CUDA on Linux and Windows x64).'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('ClinicaDL.Format.ps1xml')
    # Says once, at import, when no libtorch runtime is installed and what to run.
    ScriptsToProcess     = @('ClinicaDL.Import.ps1')
    CmdletsToExport      = @(
        'Add-ClinicaDLProgression'
        'Export-ClinicaDLModel'
        'Export-ClinicaDLTensor'
        'Export-MapsReport'
        'Get-ClinicaDLDemographics'
        'Get-ClinicaDLEnvironment'
        'Get-ClinicaDLJob'
        'Get-ClinicaDLLabel'
        'Get-ClinicaDLNetwork'
        'Get-ClinicaDLRandomSearch'
        'Get-MapsInfo'
        'Get-MapsResult'
        'Get-MapsTrainingLog'
        'Import-BidsDataset'
        'Import-CapsDataset'
        'Install-ClinicaDLRuntime'
        'Invoke-ClinicaDLInterpretation'
        'Invoke-ClinicaDLPreprocessing'
        'Invoke-ClinicaDLPrediction'
        'New-ClinicaDLSplit'
        'New-ClinicaDLSyntheticDataset'
        'Read-NiftiImage'
        'Resume-ClinicaDLTraining'
        'Start-ClinicaDLRandomSearch'
        'Start-ClinicaDLTraining'
        'Stop-ClinicaDLJob'
        'Test-ClinicaDLDataLeakage'
        'Test-ClinicaDLEnvironment'
        'ConvertTo-BidsDataset'
        'Test-BidsDataset'
        'Invoke-ClinicaDLQualityCheck'
        'Wait-ClinicaDLJob'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Neuroimaging', 'DeepLearning', 'BIDS', 'NIfTI', 'MRI', 'ClinicaDL', 'TorchSharp', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            # No LicenseUri or ProjectUri: this project has no public repository yet, and pointing to the Python
            # ClinicaDL's would say it is that project.
            ReleaseNotes = 'First gallery release: the module without the libtorch natives; Install-ClinicaDLRuntime installs CPU or CUDA libtorch from the NuGet sources of the machine.'
        }
    }
}
