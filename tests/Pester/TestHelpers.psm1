# Shared by the Pester tests: where the built module and the shared reference data are.

function Get-ClinicaDLModulePath {
    $path = if ($env:CLINICADL_MODULE) { $env:CLINICADL_MODULE } else { Join-Path $PSScriptRoot '../../out/ClinicaDL/ClinicaDL.psd1' }
    return [IO.Path]::GetFullPath($path)
}

# ../shared/testdata beside the repository, or $null when it is absent (tests then skip with a message).
function Get-SharedTestData {
    $candidate = Join-Path $PSScriptRoot '../../../shared/testdata'
    if (Test-Path -LiteralPath $candidate) { return (Resolve-Path -LiteralPath $candidate).ProviderPath }
    return $null
}

$SharedTestDataAbsent = '../shared/testdata is absent: tests on the reference data are skipped'

Export-ModuleMember -Function Get-ClinicaDLModulePath, Get-SharedTestData -Variable SharedTestDataAbsent
