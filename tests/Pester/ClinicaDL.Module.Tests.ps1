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
        It 'shows about_ClinicaDL with the leakage scenarios' {
            Get-Help about_ClinicaDL | Out-String | Should -Match 'biased transfer learning'
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

    Context 'its error list' {
        It 'documents every ErrorId constant in about_ClinicaDL' {
            $help = Get-Help about_ClinicaDL | Out-String
            $errorIds = [ClinicaDL.PowerShell.Commands.GetMapsResultCommand].Assembly.GetType('ClinicaDL.PowerShell.ErrorIds', $true).GetFields([Reflection.BindingFlags] 'Public, Static')
            $errorIds.Count | Should -BeGreaterThan 10
            foreach ($field in $errorIds) {
                $help | Should -Match "\b$($field.GetValue($null)):" -Because "ErrorId $($field.Name) needs its remedy in about_ClinicaDL"
            }
        }
    }

    Context 'its parameter conventions' {
        BeforeAll {
            function Get-ParameterAttribute($parameter) { $parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] } }
            # A cmdlet reads a path when a path parameter other than -OutputPath is mandatory or comes first.
            $script:Readers = $Commands | Where-Object {
                $_.Parameters.Values | Where-Object {
                    $_.Name -like '*Path' -and $_.Name -ne 'OutputPath' -and (Get-ParameterAttribute $_ | Where-Object { $_.Mandatory -or $_.Position -eq 0 })
                }
            }
        }

        # Each test lists every violation at once, so a new cmdlet that breaks a rule is named with the rule.
        It 'takes files and folders as strings, in parameters named *Path' {
            $violations = foreach ($command in $Commands) {
                foreach ($parameter in $command.Parameters.Values | Where-Object Name -like '*Path') {
                    if ($parameter.ParameterType -notin [string], [string[]]) { "$($command.Name) -$($parameter.Name) is a $($parameter.ParameterType.Name)" }
                }
            }
            $violations | Should -BeNullOrEmpty
        }

        It 'gives every -Path wildcards and a -LiteralPath with the PSPath alias, bound by property name' {
            $withPath = @($Commands | Where-Object { $_.Parameters.ContainsKey('Path') })
            $withPath.Count | Should -BeGreaterOrEqual 7
            $violations = foreach ($command in $withPath) {
                $path = $command.Parameters['Path']
                $literal = $command.Parameters['LiteralPath']
                if (-not ($path.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })) { "$($command.Name) -Path takes no wildcards" }
                if (-not $literal) { "$($command.Name) has -Path but no -LiteralPath"; continue }
                if ($literal.ParameterType -ne $path.ParameterType) { "$($command.Name) -LiteralPath is not typed as -Path" }
                if ($literal.Aliases -notcontains 'PSPath') { "$($command.Name) -LiteralPath lacks the PSPath alias" }
                if ((Get-ParameterAttribute $literal).ValueFromPipelineByPropertyName -notcontains $true) { "$($command.Name) -LiteralPath does not bind by property name" }
            }
            $violations | Should -BeNullOrEmpty
        }

        It 'binds file and folder items (PSPath) in every cmdlet that reads a path' {
            $Readers.Count | Should -BeGreaterOrEqual 15
            $violations = foreach ($command in $Readers) {
                $withAlias = @($command.Parameters.Values | Where-Object { $_.Aliases -contains 'PSPath' })
                if ($withAlias.Count -ne 1) { "$($command.Name) reads a path but no path parameter takes PSPath"; continue }
                if ($withAlias[0].Name -notlike '*Path') { "$($command.Name) gives PSPath to -$($withAlias[0].Name), not a path" }
                if ((Get-ParameterAttribute $withAlias[0]).ValueFromPipelineByPropertyName -notcontains $true) { "$($command.Name) -$($withAlias[0].Name) does not bind by property name" }
            }
            $violations | Should -BeNullOrEmpty
        }

        It 'names each concept the same everywhere, singular, keeping the old names as aliases' {
            $canonical = @{ MapsPath = @(); CapsPath = @('CapsDirectory'); TsvPath = @(); SelectionMetric = @('SelectionMetrics'); Diagnosis = @('Diagnoses'); Split = @(); DataGroup = @() }
            $completedAs = @{ SelectionMetricCompleter = 'SelectionMetric'; DiagnosisCompleter = 'Diagnosis'; SplitCompleter = 'Split'; DataGroupCompleter = 'DataGroup'; PreprocessingCompleter = 'Preprocessing' }
            $violations = foreach ($command in $Commands) {
                foreach ($parameter in $command.Parameters.Values) {
                    foreach ($name in $parameter.Aliases | Where-Object { $canonical.ContainsKey($_) }) { "$($command.Name) -$($parameter.Name) has the alias $name, a parameter's own name elsewhere" }
                    if ($canonical.ContainsKey($parameter.Name)) {
                        foreach ($old in $canonical[$parameter.Name] | Where-Object { $_ -notin $parameter.Aliases }) { "$($command.Name) -$($parameter.Name) lacks the alias $old" }
                    }
                    $completer = $parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }
                    if ($completer -and $completedAs[$completer.Type.Name] -and $parameter.Name -ne $completedAs[$completer.Type.Name]) {
                        "$($command.Name) -$($parameter.Name) is completed as -$($completedAs[$completer.Type.Name]) elsewhere"
                    }
                }
            }
            $violations | Should -BeNullOrEmpty
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
