BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:ModuleFolder = Split-Path (Get-ClinicaDLModulePath)
}

Describe 'Get-ClinicaDLEnvironment' {
    Context 'in the built module' {
        BeforeAll {
            $script:Environment = Get-ClinicaDLEnvironment
        }

        It 'returns one typed object' {
            @($Environment).Count | Should -Be 1
            $Environment.GetType().FullName | Should -Be 'ClinicaDL.Core.Runtime.EnvironmentInfo'
        }

        It 'reports the versions of the module, PowerShell, .NET, TorchSharp and libtorch' {
            $Environment.ModuleVersion | Should -Be (Get-Module ClinicaDL).Version.ToString()
            $Environment.HostVersion | Should -Be $PSVersionTable.PSVersion.ToString()
            $Environment.DotNetVersion | Should -Be ([Environment]::Version.ToString())
            $Environment.TorchSharpVersion | Should -Be '0.107.0'
            $Environment.LibTorchVersion | Should -BeLike '2.10.0*'
        }

        It 'reports the CPU, its logical cores, torch threads and devices' {
            $Environment.LogicalCores | Should -Be ([Environment]::ProcessorCount)
            $Environment.CpuModel | Should -Not -BeNullOrEmpty
            $Environment.TorchThreads | Should -BeGreaterThan 0
            $Environment.Devices | Should -Contain 'cpu'
            ($Environment.Devices -like 'cuda*').Count -gt 0 | Should -Be $Environment.CudaAvailable
        }

        It 'says the compatibility step is active exactly when the build put its library in the module folder' {
            $Environment.CompatibilityStepActive | Should -Be (Test-Path (Join-Path $ModuleFolder 'libClinicaDLStdCxxCompat.so'))
        }

        It 'loads libtorch from the module folder, the CPU runtime of a source build' {
            $Environment.NativeDirectory | Should -Be $ModuleFolder
            $Environment.RuntimeOrigin | Should -Be 'ModuleFolder'
            $Environment.RuntimeDevice | Should -Be 'Cpu'
        }
    }
}
