# The gallery package, installed as a user would: build.ps1 -Task Package's .nupkg published to a file repository,
# saved into a fresh module path by PSResourceGet in a child pwsh -NoProfile, imported without a runtime, then
# Install-ClinicaDLRuntime -Device Cpu from the NuGet sources of this machine's NuGet.Config, the smoke test and a
# one-epoch training on synthetic data. The runtime goes into a temporary root (CLINICADL_RUNTIME_ROOT), so the
# user's own runtime folder is neither used nor touched.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $moduleFolder = Split-Path (Get-ClinicaDLModulePath)
    $script:Package = Get-ChildItem -Path (Join-Path (Split-Path $moduleFolder) 'repository') -Filter 'ClinicaDL.*.nupkg' -ErrorAction SilentlyContinue |
        Select-Object -First 1
    if (-not $Package) {
        throw "No gallery package beside $moduleFolder (out/repository/ClinicaDL.<version>.nupkg): run 'dotnet pwsh ./build.ps1 -Task Package' first."
    }
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "clinicadl-install-$PID"
    Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction SilentlyContinue
    $repository = New-Item -ItemType Directory -Path (Join-Path $Work 'repository')
    Copy-Item -LiteralPath $Package.FullName -Destination $repository
    $script:Report = Join-Path $Work 'report.json'
    $script:Child = Join-Path $Work 'install.ps1'
    Set-Content -LiteralPath $Child -Value @'
param([string] $Work, [string] $Report)
$ErrorActionPreference = 'Stop'
$result = [ordered]@{}
# What was learnt so far is written even when a step fails, for the test to show.
trap { $result.Failure = "$_"; $result | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $Report; break }
$repositoryName = "ClinicaDLInstallTest$PID"
Register-PSResourceRepository -Name $repositoryName -Uri (Join-Path $Work 'repository') -Trusted
try {
    $modules = New-Item -ItemType Directory -Path (Join-Path $Work 'modules')
    Save-PSResource -Name ClinicaDL -Repository $repositoryName -Path $modules -TrustRepository
}
finally {
    Unregister-PSResourceRepository -Name $repositoryName
}
$env:PSModulePath = "$modules$([IO.Path]::PathSeparator)$env:PSModulePath"
$env:CLINICADL_RUNTIME_ROOT = Join-Path $Work 'runtime'
$manifest = Get-ChildItem -Path $modules -Recurse -Filter ClinicaDL.psd1 | Select-Object -First 1
$result.ManifestValid = [bool](Test-ModuleManifest -Path $manifest.FullName -ErrorAction Stop)
$result.ModuleFiles = @(Get-ChildItem -LiteralPath $manifest.DirectoryName -File).Name
Import-Module ClinicaDL -WarningVariable importWarnings -WarningAction SilentlyContinue
$result.ImportedFrom = (Get-Module ClinicaDL).ModuleBase
$result.ImportWarnings = @($importWarnings | ForEach-Object Message)
try { Get-ClinicaDLEnvironment | Out-Null; $result.MissingErrorId = '' }
catch { $result.MissingErrorId = $_.FullyQualifiedErrorId; $result.MissingMessage = $_.Exception.Message }
$clock = [Diagnostics.Stopwatch]::StartNew()
$installation = Install-ClinicaDLRuntime -Device Cpu
$result.InstallSeconds = $clock.Elapsed.TotalSeconds
$result.DownloadedBytes = $installation.DownloadedBytes
$result.InstalledBytes = $installation.InstalledBytes
$result.RuntimePath = $installation.Path
$result.HashVerified = @($installation.Packages.HashVerified)
$result.Packages = @($installation.Packages | ForEach-Object { "$($_.Id) $($_.Version)" })
$again = Install-ClinicaDLRuntime -Device Cpu
$result.SecondInstallDownloaded = $again.DownloadedBytes
$result.SecondInstallAlready = $again.AlreadyInstalled
$environment = Get-ClinicaDLEnvironment
$result.RuntimeOrigin = "$($environment.RuntimeOrigin)"
$result.NativeDirectory = $environment.NativeDirectory
$result.LibTorchVersion = $environment.LibTorchVersion
$smoke = Test-ClinicaDLEnvironment -Steps 3
$result.SmokePassed = $smoke.Passed
$data = Join-Path $Work 'data'
New-ClinicaDLSyntheticDataset -OutputPath $data -ParticipantCount 8 -SessionCount 1 -VoxelSize 3 -Seed 3 | Out-Null
$split = New-ClinicaDLSplit -Path (Join-Path $data 'labels.tsv') -TestSize 2 -IgnoreDemographics -Seed 0
$folds = @(New-ClinicaDLSplit -Path $split.TrainPath -KFold 2 -Seed 0)
$training = @(Start-ClinicaDLTraining -CapsPath (Join-Path $data 'caps') -TsvPath (Split-Path $folds[0].Path) -OutputPath (Join-Path $Work 'maps') -Split 0 -Epochs 1 -BatchSize 2 -Seed 0)
$result.TrainedSplits = $training.Count
$result.MapsJson = Test-Path (Join-Path $Work 'maps/maps.json')
$result | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $Report
'@
    $pwsh = [Environment]::GetCommandLineArgs()[0]
    $prefix = @(if ($pwsh -like '*.dll') { $pwsh })
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $script:Output = & ([Environment]::ProcessPath) @prefix -NoProfile -NonInteractive -File $Child -Work $Work -Report $Report 2>&1 | Out-String
    $script:Seconds = $clock.Elapsed.TotalSeconds
    $script:Result = if (Test-Path -LiteralPath $Report) { Get-Content -LiteralPath $Report -Raw | ConvertFrom-Json } else { $null }
    Write-Host ("Install test: {0:N0} s in all; package {1:N1} MB; runtime download {2:N0} MB in {3:N1} s, {4:N0} MB installed" -f $Seconds,
        ($Package.Length / 1MB), ($Result.DownloadedBytes / 1MB), $Result.InstallSeconds, ($Result.InstalledBytes / 1MB))
}

AfterAll {
    Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'The gallery package' {
    It 'is well under 50 MB and holds no libtorch' {
        $Package.Length | Should -BeLessThan 50MB
        $Result | Should -Not -BeNullOrEmpty -Because $Output
        $Result.PSObject.Properties.Name | Should -Not -Contain 'Failure' -Because $Output
        $Result.ModuleFiles | Where-Object { $_ -cmatch '^lib(torch|c10|gomp|LibTorchSharp)' } | Should -BeNullOrEmpty
        $Result.ModuleFiles | Should -Contain 'libClinicaDLStdCxxCompat.so'
        $Result.ModuleFiles | Should -Contain 'THIRD-PARTY-NOTICES.txt'
        $Result.ManifestValid | Should -BeTrue
    }

    It 'imports from the fresh module path with one warning that says what to run' {
        $Result.ImportedFrom | Should -BeLike (Join-Path $Work 'modules*')
        $Result.ImportWarnings.Count | Should -Be 1
        $Result.ImportWarnings[0] | Should -Match 'No libtorch runtime is installed.*Install-ClinicaDLRuntime -Device Cpu'
    }

    It 'answers a command that needs libtorch with RuntimeMissing' {
        $Result.MissingErrorId | Should -Be 'RuntimeMissing,ClinicaDL.PowerShell.Commands.GetClinicaDLEnvironmentCommand'
        $Result.MissingMessage | Should -Match 'Run: Install-ClinicaDLRuntime -Device Cpu'
    }
}

Describe 'Install-ClinicaDLRuntime from the configured NuGet sources' {
    It 'installs the CPU runtime with every package checked, then finds it there' {
        $Result.Packages | Should -Be @('libtorch-cpu-linux-x64 2.10.0', 'TorchSharp 0.107.0')
        $Result.HashVerified | Should -Be @($true, $true)
        $Result.RuntimePath | Should -Be (Join-Path $Work 'runtime/2.10.0-cpu-linux-x64-torchsharp-0.107.0')
        $Result.DownloadedBytes | Should -BeGreaterThan 100MB
        $Result.SecondInstallAlready | Should -BeTrue
        $Result.SecondInstallDownloaded | Should -Be 0
    }

    It 'loads libtorch from the installed runtime and trains' {
        $Result.RuntimeOrigin | Should -Be 'Installed'
        $Result.NativeDirectory | Should -Be $Result.RuntimePath
        $Result.LibTorchVersion | Should -BeLike '2.10.0*'
        $Result.SmokePassed | Should -BeTrue
        $Result.TrainedSplits | Should -Be 1
        $Result.MapsJson | Should -BeTrue
    }
}

Describe 'Install-ClinicaDLRuntime in a session of the source build' {
    BeforeAll {
        Import-Module (Get-ClinicaDLModulePath) -Force
        $script:SavedRoot = $env:CLINICADL_RUNTIME_ROOT
        $env:CLINICADL_RUNTIME_ROOT = Join-Path $TestDrive 'runtime'
    }

    AfterAll {
        $env:CLINICADL_RUNTIME_ROOT = $SavedRoot
    }

    It 'downloads and writes nothing with -WhatIf' {
        Install-ClinicaDLRuntime -Device Cpu -WhatIf | Should -BeNullOrEmpty
        Test-Path (Join-Path $TestDrive 'runtime') | Should -BeFalse
    }

    It 'names the package and the source that lacks it' {
        $empty = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'empty-feed')
        $failure = { Install-ClinicaDLRuntime -Device Cpu -Source $empty.FullName } | Should -Throw -ErrorId 'RuntimePackageNotFound,ClinicaDL.PowerShell.Commands.InstallClinicaDLRuntimeCommand' -PassThru
        $failure.Exception.Message | Should -Match "libtorch-cpu-linux-x64 2\.10\.0 was not found .*$([regex]::Escape($empty.FullName)): not there"
    }

    It 'takes a feed URL as -Source, not as a path, and names it when it cannot be reached' {
        $url = 'http://127.0.0.1:9/index.json'
        $failure = { Install-ClinicaDLRuntime -Device Cpu -Source $url } | Should -Throw -ErrorId 'RuntimePackageNotFound,ClinicaDL.PowerShell.Commands.InstallClinicaDLRuntimeCommand' -PassThru
        $failure.Exception.Message | Should -Match "libtorch-cpu-linux-x64 2\.10\.0 was not found .*$([regex]::Escape($url)): "
        $failure.Exception.Message | Should -Not -Match 'drive'
        Test-Path (Join-Path $TestDrive 'runtime' '2.10.0-cpu-linux-x64-torchsharp-0.107.0.installing') | Should -BeFalse
    }

    It 'completes -Source with the configured NuGet sources and -Device with the devices' {
        $line = 'Install-ClinicaDLRuntime -Source '
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'nuget.org'
        $line = 'Install-ClinicaDLRuntime -Device '
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('Cpu', 'Cuda')
    }
}
