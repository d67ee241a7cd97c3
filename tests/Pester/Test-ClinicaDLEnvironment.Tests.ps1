BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
}

Describe 'Test-ClinicaDLEnvironment' {
    Context 'training a tiny 3D CNN on the CPU' {
        It 'lowers the loss over the steps' {
            $result = Test-ClinicaDLEnvironment -Steps 20 -Seed 3
            $result.Losses.Count | Should -Be 20
            $result.Device | Should -Be 'cpu'
            $result.FinalLoss | Should -BeLessThan ($result.InitialLoss * 0.5)
            $result.Passed | Should -BeTrue
        }

        It 'gives the same losses for the same seed and other losses for another seed' {
            $first = Test-ClinicaDLEnvironment -Steps 5 -Seed 11
            $again = Test-ClinicaDLEnvironment -Steps 5 -Seed 11
            $other = Test-ClinicaDLEnvironment -Steps 5 -Seed 12
            $again.Losses | Should -Be $first.Losses
            $other.Losses | Should -Not -Be $first.Losses
        }

        It 'shows its result as a table' {
            $table = Test-ClinicaDLEnvironment -Steps 3 | Format-Table | Out-String -Width 200
            $table | Should -Match 'Passed\s+Device\s+Threads\s+Steps\s+InitialLoss\s+FinalLoss\s+Duration'
        }
    }

    Context 'a device this build cannot use' {
        It 'refuses CUDA with TorchUnavailable when no GPU is usable' {
            if ((Get-ClinicaDLEnvironment).CudaAvailable) {
                Set-ItResult -Skipped -Because 'a CUDA device is available here'
                return
            }
            { Test-ClinicaDLEnvironment -Device cuda -Steps 2 } |
                Should -Throw -ErrorId 'TorchUnavailable,ClinicaDL.PowerShell.Commands.TestClinicaDLEnvironmentCommand'
        }
    }
}
