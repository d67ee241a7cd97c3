BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $exported = @(Get-Command -Module ClinicaDL | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

Describe 'Cmdlet help' {
    Context '<Name>' -ForEach $exported {
        BeforeAll {
            $script:Help = Get-Help $Name -Full
            $script:Command = Get-Command $Name
        }

        It 'has a help page in docs/help' {
            Join-Path $PSScriptRoot "../../docs/help/$Name.md" | Should -Exist
        }

        It 'is compiled into the module with its synopsis and description' {
            $Help.Synopsis | Should -Not -BeNullOrEmpty
            $Help.Synopsis | Should -Not -Match "^\s*$Name"
            ($Help.description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        }

        It 'has at least two examples' {
            @($Help.examples.example).Count | Should -BeGreaterOrEqual 2
        }

        It 'documents exactly the parameters the cmdlet has' {
            $actual = @($Command.Parameters.Keys | Where-Object { $_ -notin $Common }) | Sort-Object
            $documentedNames = @($Help.parameters.parameter | Where-Object { $_ } | ForEach-Object name) | Sort-Object
            $documentedNames | Should -Be $actual
        }
    }
}
