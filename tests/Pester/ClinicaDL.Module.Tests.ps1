BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:ModulePath = Get-ClinicaDLModulePath
    Import-Module $ModulePath -Force
    $script:Commands = Get-Command -Module ClinicaDL
}

Describe 'ClinicaDL module' {
    Context 'its manifest' {
        It 'exports exactly the cmdlets its manifest lists' {
            $manifest = Import-PowerShellDataFile $ModulePath
            ($Commands.Name | Sort-Object) | Should -Be ($manifest.CmdletsToExport | Sort-Object)
        }

        It 'uses approved verbs only' {
            $approved = (Get-Verb).Verb
            $Commands | ForEach-Object { $_.Verb | Should -BeIn $approved }
        }

        It 'declares an output type for every cmdlet' {
            $Commands | ForEach-Object { $_.OutputType | Should -Not -BeNullOrEmpty -Because "$($_.Name) must declare [OutputType]" }
        }
    }

    Context 'its conceptual help' {
        It 'shows about_ClinicaDL with the leakage scenarios and every ErrorId of the module' {
            $help = Get-Help about_ClinicaDL | Out-String
            $help | Should -Match 'biased transfer learning'
            $ids = [ClinicaDL.PowerShell.ClinicaDLCmdlet].Assembly.GetType('ClinicaDL.PowerShell.ErrorIds').GetFields([Reflection.BindingFlags]'Static,NonPublic,Public').ForEach('GetValue', $null)
            $ids.Count | Should -BeGreaterThan 20
            foreach ($id in $ids) {
                $help | Should -Match "\b$id\b" -Because "about_ClinicaDL lists every ErrorId with its remedy"
            }
        }

        It 'has a test asserting each ErrorId it documents' {
            $tests = Get-ChildItem (Join-Path $PSScriptRoot '*.Tests.ps1') | Get-Content -Raw
            $ids = [ClinicaDL.PowerShell.ClinicaDLCmdlet].Assembly.GetType('ClinicaDL.PowerShell.ErrorIds').GetFields([Reflection.BindingFlags]'Static,NonPublic,Public').ForEach('GetValue', $null)
            # UnexpectedError is the mapping's last resort for defects: no input is meant to produce it.
            foreach ($id in $ids | Where-Object { $_ -ne 'UnexpectedError' }) {
                $assertion = '(ErrorId\s*=\s*''{0}''|-ErrorId\s+[''"]{0}[$,''"]|Should\s+-Be\s+[''"]{0}[$,])' -f $id
                ($tests | Where-Object { $_ -match $assertion }) | Should -Not -BeNullOrEmpty -Because "some test must produce $id"
            }
        }
    }

    Context 'a fresh session' {
        It 'can use the engine types right after Import-Module' {
            $pwsh = [Environment]::GetCommandLineArgs()[0]
            $prefix = @(if ($pwsh -like '*.dll') { $pwsh })
            $executable = [Environment]::ProcessPath
            $output = & $executable @prefix -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'; [ClinicaDL.Core.Imaging.AffineMatrix]::Identity[2, 2]"
            $LASTEXITCODE | Should -Be 0
            $output | Should -Be '1'
        }
    }
}
