# How every cmdlet turns an engine failure into an ErrorRecord: one ErrorId per failure family, wrappers
# unwrapped, native stack traces dropped. The cases build the exceptions the engine and .NET raise, since some
# (a full disk, a native libtorch refusal) cannot be produced on demand on a test machine.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Mapping = [ClinicaDL.PowerShell.ClinicaDLCmdlet].Assembly.GetType('ClinicaDL.PowerShell.ErrorMapping')
    function script:ConvertTo-ErrorRecord([Exception] $exception) {
        $Mapping.GetMethod('ToErrorRecord', [Reflection.BindingFlags]'Static,Public,NonPublic').Invoke($null, @($exception, 'the-target'))
    }
}

Describe 'ErrorMapping' {
    It 'maps <Case> to <ErrorId>' -ForEach @(
        @{ Case = 'a NIfTI failure inside an AggregateException (a parallel decode)'; ErrorId = 'InvalidNiftiFile'; Category = 'InvalidData'
            Exception = { [AggregateException]::new([ClinicaDL.Core.Imaging.InvalidNiftiException]::new('/data/a.nii', 'truncated')) }; Target = '/data/a.nii' }
        @{ Case = 'a MAPS failure inside a TargetInvocationException'; ErrorId = 'MapsNotFound'; Category = 'ObjectNotFound'
            Exception = { [Reflection.TargetInvocationException]::new([ClinicaDL.Core.Maps.MapsNotFoundException]::new('/nowhere/maps')) }; Target = '/nowhere/maps' }
        @{ Case = 'a full disk (errno 28)'; ErrorId = 'DiskFull'; Category = 'WriteError'
            Exception = { [IO.IOException]::new('No space left on device : ''/maps/model.pt''', 28) }; Target = 'the-target' }
        @{ Case = 'a refused permission'; ErrorId = 'AccessDenied'; Category = 'PermissionDenied'
            Exception = { [UnauthorizedAccessException]::new('Access to the path ''/caps'' is denied.') }; Target = 'the-target' }
        @{ Case = 'another I/O failure'; ErrorId = 'FileReadFailed'; Category = 'ReadError'
            Exception = { [IO.IOException]::new('Input/output error') }; Target = 'the-target' }
        @{ Case = 'a writer already at work'; ErrorId = 'OutputInUse'; Category = 'ResourceBusy'
            Exception = { [ClinicaDL.Core.IO.OutputInUseException]::new('/maps', 'process 12 on host, since now') }; Target = '/maps' }
        @{ Case = 'a corrupt tensor file'; ErrorId = 'InvalidTensorFile'; Category = 'InvalidData'
            Exception = { [ClinicaDL.Core.Imaging.InvalidTensorFileException]::new('truncated') }; Target = 'the-target' }
        @{ Case = 'a libtorch refusal'; ErrorId = 'TorchOperationFailed'; Category = 'InvalidOperation'
            Exception = { [Runtime.InteropServices.ExternalException]::new("Expected 3D input, got 2D`nException raised from check at conv.cpp:12 (most recent call first):`nframe #0: c10::Error") }
            Target = 'the-target' }
        @{ Case = 'a network layer without ONNX translation'; ErrorId = 'ModelNotExportable'; Category = 'NotImplemented'
            Exception = { [ClinicaDL.Core.Export.ModelExportException]::new('Conv5_FC3', 'fc.1', "Conv5_FC3 cannot be exported to ONNX: its layer 'fc.1' (GRU): it has no ONNX translation in this module.") }
            Target = 'the-target' }
        @{ Case = 'a defect of the module'; ErrorId = 'UnexpectedError'; Category = 'NotSpecified'
            Exception = { [NullReferenceException]::new('Object reference not set') }; Target = 'the-target' }
    ) {
        $record = ConvertTo-ErrorRecord (& $Exception)
        $record.FullyQualifiedErrorId | Should -Be $ErrorId
        $record.CategoryInfo.Category | Should -Be $Category
        $record.TargetObject | Should -Be $Target
    }

    It 'drops the C++ stack trace of a libtorch message' {
        $record = ConvertTo-ErrorRecord ([Runtime.InteropServices.ExternalException]::new("Expected 3D input, got 2D`nException raised from check at conv.cpp:12`nframe #0: c10::Error"))
        $record.Exception.Message | Should -Be 'libtorch refused the operation: Expected 3D input, got 2D'
    }

    It 'tells the user a defect is not their input' {
        (ConvertTo-ErrorRecord ([NullReferenceException]::new('x'))).ErrorDetails.Message | Should -Match 'defect of ClinicaDL, not of your input'
    }

    It 'keeps each engine exception type on one ErrorId whatever the cmdlet: MAPS failures through four cmdlets' {
        $notMaps = Join-Path $TestDrive 'plain'
        New-Item -ItemType Directory $notMaps | Out-Null
        $ids = @(
            { Resume-ClinicaDLTraining -MapsPath $notMaps -ErrorAction Stop }
            { Invoke-ClinicaDLPrediction -MapsPath $notMaps -DataGroup test -ErrorAction Stop }
            { Get-MapsInfo -MapsPath $notMaps -ErrorAction Stop }
            { Export-MapsReport -MapsPath $notMaps -ErrorAction Stop }
        ) | ForEach-Object { try { & $_; 'none' } catch { ($_.FullyQualifiedErrorId -split ',')[0] } }
        $ids | Should -Be @('MapsNotFound', 'MapsNotFound', 'MapsNotFound', 'MapsNotFound')
    }

    It 'reports a missing CAPS folder as PathNotFound, not as a folder that is not a CAPS' {
        { Import-CapsDataset -Path $TestDrive -Preprocessing t1-linear -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidCaps,ClinicaDL.PowerShell.Commands.ImportCapsDatasetCommand'
        { Export-ClinicaDLTensor -CapsPath (Join-Path $TestDrive 'no-such-caps') -Mode Image -ErrorAction Stop } |
            Should -Throw -ErrorId 'PathNotFound,ClinicaDL.PowerShell.Commands.ExportClinicaDLTensorCommand'
    }
}
