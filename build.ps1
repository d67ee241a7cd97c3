#Requires -Version 7.4

<#
.SYNOPSIS
    Builds, tests, demonstrates and benchmarks the ClinicaDL PowerShell module.
.DESCRIPTION
    Build   assembles out/ClinicaDL/, the module as built from source: manifest, assemblies, format file, the libtorch
            natives of this platform and, on Linux systems whose libstdc++ predates GCC 13, the compatibility
            step that lets TorchSharp's native library load (see src/ClinicaDL.Core/Runtime/LibStdCxxCompatibility.cs).
    Package builds, then makes out/repository/ClinicaDL.<version>.nupkg, the gallery package (Publish-PSResource to a
            local file repository): the module without libtorch, with SkiaSharp's natives for Linux, Windows and
            macOS, the libstdc++ compatibility library prebuilt for linux-x64 and the third-party notices. Users get
            libtorch with Install-ClinicaDLRuntime.
    Test    builds, packages, runs the xunit tests, then the Pester tests in a child pwsh against out/ClinicaDL (the
            install test against the package), and ends with one line 'N passed, M failed, K skipped' summing both;
            exits non-zero when anything failed.
    Demo   builds and runs the main job, examples/Demo.ps1, against out/ClinicaDL in out/demo.
    Bench  builds and runs the benchmarks named in bench/ClinicaDL.Bench/Program.cs, each in a process of its
           own; they print 'name: value' lines.
    Clean  removes out/ and every bin/ and obj/ folder.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Package', 'Test', 'Demo', 'Bench', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Root = $PSScriptRoot
$OutDirectory = Join-Path $Root 'out'
$ModuleDirectory = Join-Path $OutDirectory 'ClinicaDL'
$TestResultsDirectory = Join-Path $OutDirectory 'TestResults'
$PackageDirectory = Join-Path $OutDirectory 'package/ClinicaDL'
$RepositoryDirectory = Join-Path $OutDirectory 'repository'
$TorchSharpVersion = '0.107.0'
$LibTorchVersion = '2.10.0'
$PesterVersion = '5.7.1'

function Invoke-Native {
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @())
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Get-RuntimeIdentifier {
    $architecture = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString().ToLowerInvariant()
    if ($IsWindows) { return "win-$architecture" }
    if ($IsMacOS) { return "osx-$architecture" }
    return "linux-$architecture"
}

function Get-NuGetPackageRoot {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = & dotnet nuget locals global-packages --list
    return ($line -replace '^global-packages:\s*', '').Trim()
}

# The child pwsh that runs tests and the demo: the same PowerShell as this one, without a profile.
function Get-ChildPwsh {
    $arguments = [Environment]::GetCommandLineArgs()
    if ($arguments[0] -like '*.dll') {
        return @([Environment]::ProcessPath, $arguments[0])
    }
    return @([Environment]::ProcessPath)
}

# Runs a command, or a script file with its arguments, in the child pwsh; returns its exit code.
function Invoke-ChildPwsh {
    [CmdletBinding(DefaultParameterSetName = 'Command')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Command')] [string] $Command,
        [Parameter(Mandatory, ParameterSetName = 'File')] [string] $File,
        [Parameter(ParameterSetName = 'File')] [string[]] $ArgumentList = @()
    )
    $pwsh = @(Get-ChildPwsh)
    $run = if ($PSCmdlet.ParameterSetName -eq 'File') { @('-File', $File) + $ArgumentList } else { @('-Command', $Command) }
    $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive') + $run
    & $pwsh[0] @arguments | Out-Host
    return $LASTEXITCODE
}

# Copies a file unless an identical-looking copy (same length and time) is already there: libtorch_cpu alone
# is 460 MB, and rebuilding the module should not copy it again.
function Copy-IfChanged {
    param([string] $Source, [string] $Destination)
    $target = Join-Path $Destination (Split-Path $Source -Leaf)
    $sourceItem = Get-Item -LiteralPath $Source
    if (Test-Path -LiteralPath $target) {
        $targetItem = Get-Item -LiteralPath $target
        if ($targetItem.Length -eq $sourceItem.Length -and $targetItem.LastWriteTimeUtc -eq $sourceItem.LastWriteTimeUtc) {
            return
        }
    }
    Copy-Item -LiteralPath $Source -Destination $target -Force
}

function Copy-TorchNatives {
    param([string] $PackageRoot, [string] $RuntimeIdentifier)
    $libTorchNatives = Join-Path $PackageRoot "libtorch-cpu-$RuntimeIdentifier/$LibTorchVersion/runtimes/$RuntimeIdentifier/native"
    $torchSharpNatives = Join-Path $PackageRoot "torchsharp/$TorchSharpVersion/runtimes/$RuntimeIdentifier/native"
    foreach ($folder in $libTorchNatives, $torchSharpNatives) {
        if (-not (Test-Path -LiteralPath $folder)) {
            throw "The native folder '$folder' is missing: the restore of build/Dependencies.proj did not provide libtorch for $RuntimeIdentifier."
        }
    }
    # Test, Python and mobile back-end libraries are not needed to run models.
    $unneeded = 'test|python|backend_with_compiler|aoti_custom_ops|nnapi|libshm'
    Get-ChildItem -LiteralPath $libTorchNatives -File | Where-Object Name -NotMatch $unneeded | ForEach-Object {
        Copy-IfChanged -Source $_.FullName -Destination $ModuleDirectory
    }
    Get-ChildItem -LiteralPath $torchSharpNatives -File | ForEach-Object {
        Copy-Item -LiteralPath $_.FullName -Destination $ModuleDirectory -Force
    }
}

# On Linux with a libstdc++ older than GCC 13's, TorchSharp's native library needs the compatibility step;
# elsewhere the natives ship untouched. The step itself lives in ClinicaDL.Core so that it is tested.
function Set-LibStdCxxCompatibility {
    $shim = Join-Path $ModuleDirectory 'libClinicaDLStdCxxCompat.so'
    if (-not $IsLinux) {
        Write-Host 'libstdc++ compatibility: not applicable on this system; natives shipped untouched.'
        return
    }
    Add-Type -LiteralPath (Join-Path $ModuleDirectory 'ClinicaDL.Core.dll')
    $compatibility = [ClinicaDL.Core.Runtime.LibStdCxxCompatibility]
    $libStdCxx = $compatibility::LoadedLibStdCxx()
    if ($libStdCxx -and $compatibility::Provides($libStdCxx)) {
        Remove-Item -LiteralPath $shim -ErrorAction SilentlyContinue
        Write-Host "libstdc++ compatibility: not needed ($libStdCxx has $($compatibility::RequiredVersion)); natives shipped untouched."
        return
    }
    $torchSharpNative = Join-Path $ModuleDirectory 'libLibTorchSharp.so'
    if ($compatibility::Requires($torchSharpNative)) {
        $compatibility::Patch($torchSharpNative)
    }
    if (-not (Get-Command g++ -ErrorAction SilentlyContinue)) {
        throw "This system's libstdc++ ($libStdCxx) lacks $($compatibility::RequiredVersion), which TorchSharp needs; the build compiles a small compatibility library for it with g++, which is not installed (Debian/Ubuntu: apt-get install g++)."
    }
    $source = Join-Path $Root 'src/native/ios_base_library_init.cpp'
    Invoke-Native g++ @('-shared', '-fPIC', '-O2', '-o', $shim, $source)
    Write-Host "libstdc++ compatibility: applied ($libStdCxx lacks $($compatibility::RequiredVersion)): libLibTorchSharp.so patched, $(Split-Path $shim -Leaf) built."
}

# The t1-linear template (2.8 MB of data) is not kept in git: it comes from the shared test data beside the
# repository (or CLINICADL_TESTDATA) into src/ClinicaDL.Core/Templates, which the engine's build copies beside it.
function Copy-Template {
    $name = 'tpl-MNI152NLin2009cSym_res-1_desc-brain_T1w.nii.gz'
    $target = Join-Path $Root "src/ClinicaDL.Core/Templates/$name"
    $testData = if ($env:CLINICADL_TESTDATA) { $env:CLINICADL_TESTDATA } else { Join-Path $Root '../shared/testdata' }
    $source = Join-Path $testData "templates/$name"
    if (Test-Path -LiteralPath $source) {
        Copy-IfChanged -Source $source -Destination (Split-Path $target)
    }
    elseif (-not (Test-Path -LiteralPath $target)) {
        Write-Warning "The t1-linear template $name is absent (looked in $testData/templates): Invoke-ClinicaDLPreprocessing will need -TemplatePath."
    }
}

# Named Build-Module, not Invoke-Build: that is the Invoke-Build module's command, which a maintainer may have loaded.
function Build-Module {
    Copy-Template
    $runtimeIdentifier = Get-RuntimeIdentifier
    Write-Host "Restoring dependencies (Pester $PesterVersion, libtorch $LibTorchVersion for $runtimeIdentifier)..."
    Invoke-Native dotnet @('restore', (Join-Path $Root 'build/Dependencies.proj'), "-p:TorchNativeRid=$runtimeIdentifier", '--nologo', '-v', 'q')
    Write-Host "Building ($Configuration)..."
    # The project's CopyModuleFiles target lays out the assemblies, SkiaSharp's natives, the manifest, the format
    # file, the template and the conceptual help in the module folder; the version comes from ClinicaDL.psd1
    # (Directory.Build.props reads it).
    Invoke-Native dotnet @('build', (Join-Path $Root 'src/ClinicaDL.PowerShell/ClinicaDL.PowerShell.csproj'), '-c', $Configuration,
        "-p:ModuleDirectory=$ModuleDirectory", "-p:ModuleRuntimeIdentifier=$runtimeIdentifier", '--nologo', '-v', 'q', '-clp:ErrorsOnly')
    # Cmdlet help: docs/help/<Verb-Noun>.md compiled to the MAML file Get-Help reads for the binary module.
    Import-Module (Join-Path $Root 'build/MamlHelp.psm1') -Force
    ConvertTo-MamlHelp -MarkdownFolder (Join-Path $Root 'docs/help') -OutputPath (Join-Path $ModuleDirectory 'en-US/ClinicaDL.PowerShell.dll-Help.xml')
    Copy-TorchNatives -PackageRoot (Get-NuGetPackageRoot) -RuntimeIdentifier $runtimeIdentifier
    Set-LibStdCxxCompatibility
    Write-Host "Module ready: $ModuleDirectory"
}

# The platforms whose SkiaSharp natives (report figures) the gallery package carries, as SkiaSharp's packages name
# them; libtorch is not in the package but installed by Install-ClinicaDLRuntime for the platform it runs on.
$PackagePlatforms = @('linux-x64', 'win-x64', 'osx')

# The module folder of the gallery package: out/ClinicaDL less libtorch and TorchSharp's native library, plus the
# other platforms' SkiaSharp natives, the compatibility library for linux-x64 and the notices of what it ships.
function New-ModulePackage {
    Build-Module
    Remove-Item -LiteralPath (Split-Path $PackageDirectory), $RepositoryDirectory -Recurse -Force -ErrorAction SilentlyContinue
    $null = New-Item -ItemType Directory -Force -Path $PackageDirectory, $RepositoryDirectory
    $runtimeFiles = '^lib(torch|c10|gomp|LibTorchSharp|ClinicaDLStdCxxCompat)'
    Get-ChildItem -LiteralPath $ModuleDirectory | Where-Object Name -CNotMatch $runtimeFiles | Copy-Item -Destination $PackageDirectory -Recurse
    $own = @(Get-ChildItem -LiteralPath $ModuleDirectory -File).Name
    foreach ($platform in $PackagePlatforms) {
        $folder = Join-Path $OutDirectory "package/natives-$platform"
        Invoke-Native dotnet @('build', (Join-Path $Root 'src/ClinicaDL.PowerShell/ClinicaDL.PowerShell.csproj'), '-c', $Configuration,
            "-p:ModuleDirectory=$folder", "-p:ModuleRuntimeIdentifier=$platform", '--nologo', '-v', 'q', '-clp:ErrorsOnly')
        Get-ChildItem -LiteralPath $folder -File | Where-Object { $_.Name -notin $own -and $_.Name -match '^lib.*\.(so|dll|dylib)$' } |
            Copy-Item -Destination $PackageDirectory -Force
        Remove-Item -LiteralPath $folder -Recurse -Force
    }
    if (-not (Get-Command g++ -ErrorAction SilentlyContinue)) {
        throw 'The package carries the libstdc++ compatibility library for linux-x64, compiled with g++, which is not installed (Debian/Ubuntu: apt-get install g++).'
    }
    Invoke-Native g++ @('-shared', '-fPIC', '-O2', '-o', (Join-Path $PackageDirectory 'libClinicaDLStdCxxCompat.so'), (Join-Path $Root 'src/native/ios_base_library_init.cpp'))
    Write-ThirdPartyNotices -Path (Join-Path $PackageDirectory 'THIRD-PARTY-NOTICES.txt')
    Publish-LocalPackage
}

# One line per NuGet package whose files the module ships: id, version, licence (from the packages' nuspec).
function Write-ThirdPartyNotices {
    param([string] $Path)
    $assets = Get-Content -LiteralPath (Join-Path $Root 'src/ClinicaDL.PowerShell/obj/project.assets.json') -Raw | ConvertFrom-Json -AsHashtable
    $packageRoot = Get-NuGetPackageRoot
    $lines = foreach ($library in $assets.libraries.GetEnumerator() | Where-Object { $_.Value.type -eq 'package' } | Sort-Object Name) {
        $id, $version = $library.Name -split '/'
        if ($id -eq 'PowerShellStandard.Library') { continue }
        $nuspec = Get-ChildItem -LiteralPath (Join-Path $packageRoot ($library.Value.path)) -Filter *.nuspec | Select-Object -First 1
        $metadata = @{}
        foreach ($node in ([xml](Get-Content -LiteralPath $nuspec.FullName -Raw)).package.metadata.ChildNodes) { $metadata[$node.LocalName] = $node.InnerText }
        $licence = if ($metadata['license']) { $metadata['license'] } elseif ($metadata['licenseUrl']) { $metadata['licenseUrl'] } else { 'see the package' }
        "$id $version`t$licence`t$($metadata['projectUrl'])"
    }
    $header = @(
        'ClinicaDL for PowerShell ships files of these NuGet packages (id version, licence, project):'
        ''
    )
    $footer = @(
        ''
        'templates/tpl-MNI152NLin2009cSym_res-1_desc-brain_T1w.nii.gz: the MNI ICBM 2009c template, under the notice in templates/LICENSE-MNI152NLin2009cSym.txt.'
        'libtorch (PyTorch, BSD-3-Clause) is not in this package: Install-ClinicaDLRuntime downloads the libtorch-* packages, whose LICENSE-LIBTORCH.txt applies.'
    )
    Set-Content -LiteralPath $Path -Value ($header + $lines + $footer)
}

# Publish-PSResource makes the .nupkg (it reads the manifest and refuses what the gallery would refuse) into a
# file repository registered for the occasion.
function Publish-LocalPackage {
    $name = "ClinicaDLBuild$PID"
    Register-PSResourceRepository -Name $name -Uri $RepositoryDirectory -Trusted
    try {
        Publish-PSResource -Path $PackageDirectory -Repository $name
    }
    finally {
        Unregister-PSResourceRepository -Name $name
    }
    $package = Get-ChildItem -LiteralPath $RepositoryDirectory -Filter 'ClinicaDL.*.nupkg' | Select-Object -First 1
    if (-not $package) { throw "Publish-PSResource left no package in $RepositoryDirectory." }
    Write-Host ("Package ready: {0} ({1:N1} MB)" -f $package.FullName, ($package.Length / 1MB))
}

function Invoke-XunitTests {
    $null = New-Item -ItemType Directory -Force -Path $TestResultsDirectory
    $trx = Join-Path $TestResultsDirectory 'core.trx'
    Remove-Item -LiteralPath $trx -ErrorAction SilentlyContinue
    & dotnet test (Join-Path $Root 'tests/ClinicaDL.Core.Tests/ClinicaDL.Core.Tests.csproj') -c $Configuration --nologo `
        --logger "trx;LogFileName=core.trx" --logger 'console;verbosity=normal' --results-directory $TestResultsDirectory | Out-Host
    $exitCode = $LASTEXITCODE
    if (-not (Test-Path -LiteralPath $trx)) {
        throw 'The xunit tests did not run (no results file): see the build errors above.'
    }
    $summary = ([xml](Get-Content -LiteralPath $trx -Raw)).TestRun.ResultSummary
    $counters = $summary.Counters
    $failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
    # A test host that crashed (a native abort) ends the run with the tests after it never run, yet no counter
    # failed: the run's own outcome and exit code say so, and count as one failure, never as a pass.
    if ($failed -eq 0 -and ($exitCode -ne 0 -or $summary.outcome -ne 'Completed')) {
        Write-Host "xunit: the test run ended abnormally (outcome $($summary.outcome), exit code $exitCode) after $($counters.executed) test(s): counted as 1 failed; see the output above."
        $failed = 1
    }
    return [pscustomobject]@{
        Passed  = [int]$counters.passed
        Failed  = $failed
        # xunit's skipped tests are results with outcome NotExecuted, but the notExecuted counter stays 0: count them
        # as the tests that did not run.
        Skipped = [int]$counters.total - [int]$counters.executed
    }
}

function Invoke-PesterTests {
    $pester = Join-Path (Get-NuGetPackageRoot) "pester/$PesterVersion/tools/Pester.psd1"
    $summary = Join-Path $TestResultsDirectory 'pester.json'
    $timings = Join-Path $TestResultsDirectory 'pester-durations.txt'
    Remove-Item -LiteralPath $summary -ErrorAction SilentlyContinue
    $env:CLINICADL_MODULE = Join-Path $ModuleDirectory 'ClinicaDL.psd1'
    # The report test leaves its Chromium screenshot and a saliency overlay here, to look at after a run.
    $env:CLINICADL_REPORT_ARTIFACTS = $TestResultsDirectory
    $command = @"
Import-Module '$pester' -MinimumVersion $PesterVersion
`$configuration = New-PesterConfiguration
`$configuration.Run.Path = '$(Join-Path $Root 'tests/Pester')'
`$configuration.Run.PassThru = `$true
`$configuration.Output.Verbosity = 'Detailed'
`$result = Invoke-Pester -Configuration `$configuration
[pscustomobject]@{
    Passed  = `$result.PassedCount
    Failed  = `$result.FailedCount + `$result.FailedBlocksCount + `$result.FailedContainersCount
    Skipped = `$result.SkippedCount
} | ConvertTo-Json | Set-Content -LiteralPath '$summary'
# Where the run's time goes, slowest file first, to keep the whole CI run inside its budget.
`$result.Containers | Sort-Object Duration -Descending | ForEach-Object {
    '{0,7:N1} s  {1}' -f `$_.Duration.TotalSeconds, (Split-Path -Leaf `$_.Item)
} | Set-Content -LiteralPath '$timings'
Write-Host 'Slowest Pester files:'
Get-Content -LiteralPath '$timings' -TotalCount 10 | Write-Host
"@
    $null = Invoke-ChildPwsh -Command $command
    if (-not (Test-Path -LiteralPath $summary)) {
        throw 'The Pester run ended without a summary: see its output above.'
    }
    return Get-Content -LiteralPath $summary -Raw | ConvertFrom-Json
}

function Invoke-Test {
    # The module, then its gallery package (Install-ClinicaDLRuntime.Tests.ps1 installs it as a user would). A
    # packaging failure is reported and counted as a failure rather than keeping every other test from running.
    $packagingFailures = 0
    try {
        New-ModulePackage
    }
    catch {
        Write-Warning "The gallery package could not be made, so the install test cannot pass: $_"
        $packagingFailures = 1
    }
    $xunit = Invoke-XunitTests
    $pester = Invoke-PesterTests
    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed + $packagingFailures
    $skipped = $xunit.Skipped + $pester.Skipped
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed, $($xunit.Skipped) skipped; Pester: $($pester.Passed) passed, $($pester.Failed) failed, $($pester.Skipped) skipped$(if ($packagingFailures) { '; packaging: 1 failed' })"
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { exit 1 }
}

# The main job on the built-in synthetic data set (phantoms, a test hold-out, 2 folds, Conv5_FC3, prediction,
# saliency, report) is examples/Demo.ps1, a script a user can read and run alone; here it runs in a child pwsh.
function Invoke-Demo {
    Build-Module
    $arguments = @('-ModulePath', (Join-Path $ModuleDirectory 'ClinicaDL.psd1'), '-WorkPath', (Join-Path $OutDirectory 'demo'))
    $exitCode = Invoke-ChildPwsh -File (Join-Path $Root 'examples/Demo.ps1') -ArgumentList $arguments
    if ($exitCode -ne 0) { exit $exitCode }
}

# Each benchmark runs in its own process (its peak memory is its own) and prints 'name: value' lines. The
# program names its benchmarks ('list'), so adding one there is enough.
function Invoke-Bench {
    Build-Module
    $project = Join-Path $Root 'bench/ClinicaDL.Bench/ClinicaDL.Bench.csproj'
    Invoke-Native dotnet @('build', $project, '-c', 'Release', '--nologo', '-v', 'q', '-clp:ErrorsOnly')
    $program = Join-Path $Root 'bench/ClinicaDL.Bench/bin/Release/net10.0/ClinicaDL.Bench.dll'
    $benchmarks = @(Invoke-Native dotnet @($program, 'list'))
    foreach ($benchmark in $benchmarks) {
        Invoke-Native dotnet @($program, $OutDirectory, $benchmark)
    }
}

function Invoke-Clean {
    Remove-Item -LiteralPath $OutDirectory -Recurse -Force -ErrorAction SilentlyContinue
    Get-ChildItem -Path (Join-Path $Root 'src'), (Join-Path $Root 'tests'), (Join-Path $Root 'bench') -Directory -Recurse -Include bin, obj -ErrorAction SilentlyContinue |
        Remove-Item -Recurse -Force
}

Push-Location $Root
try {
    switch ($Task) {
        'Build' { Build-Module }
        'Package' { New-ModulePackage }
        'Test' { Invoke-Test }
        'Demo' { Invoke-Demo }
        'Bench' { Invoke-Bench }
        'Clean' { Invoke-Clean }
    }
}
finally {
    Pop-Location
}
