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

# A small BIDS dataset with demographics: participants.tsv (age, sex), per-subject sessions.tsv (diagnosis),
# and a T1w file per session (a placeholder: these tests do not read voxels).
function New-TestBidsDataset {
    param([Parameter(Mandatory)] [string] $Path, [int] $Participants = 40, [string[]] $Sessions = @('ses-M000', 'ses-M012'))
    New-Item -ItemType Directory -Force $Path | Out-Null
    Set-Content (Join-Path $Path 'dataset_description.json') '{"Name": "test", "BIDSVersion": "1.8.0"}'
    $lines = @("participant_id`tage`tsex")
    foreach ($p in 1..$Participants) {
        $id = 'sub-{0:D3}' -f $p
        $lines += "$id`t$(60 + ($p * 7) % 25)`t$(@('M', 'F')[$p % 2])"
        $sessionLines = @("session_id`tdiagnosis")
        foreach ($session in $Sessions) {
            $anat = Join-Path $Path "$id/$session/anat"
            New-Item -ItemType Directory -Force $anat | Out-Null
            Set-Content (Join-Path $anat "${id}_${session}_T1w.nii.gz") 'placeholder'
            $sessionLines += "$session`t$(if ($p % 3 -eq 0) { 'AD' } else { 'CN' })"
        }
        Set-Content (Join-Path $Path "$id/${id}_sessions.tsv") ($sessionLines -join "`n")
    }
    Set-Content (Join-Path $Path 'participants.tsv') ($lines -join "`n")
}

Export-ModuleMember -Function New-TestBidsDataset

# Runs a command of the built module in a separate PowerShell process (to be killed by the test) and returns the
# process once the given file has at least the given number of lines.
function Start-ClinicaDLProcess {
    param([Parameter(Mandatory)] [string] $Command, [Parameter(Mandatory)] [string] $WatchFile, [int] $Lines = 2, [int] $Minutes = 3)
    $pwsh = [Environment]::GetCommandLineArgs()[0]
    $prefix = @(if ($pwsh -like '*.dll') { $pwsh })
    $full = "Import-Module '$(Get-ClinicaDLModulePath)'; $Command"
    $process = Start-Process -FilePath ([Environment]::ProcessPath) -ArgumentList ($prefix + @('-NoProfile', '-NonInteractive', '-Command', $full)) -PassThru
    $deadline = [DateTime]::UtcNow.AddMinutes($Minutes)
    while ([DateTime]::UtcNow -lt $deadline -and -not ((Test-Path $WatchFile) -and @(Get-Content $WatchFile).Count -ge $Lines)) { Start-Sleep -Milliseconds 100 }
    return $process
}

Export-ModuleMember -Function Start-ClinicaDLProcess
