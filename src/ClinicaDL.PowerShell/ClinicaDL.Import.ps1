# Runs when the module is imported (the manifest's ScriptsToProcess): on a machine without a libtorch runtime the
# user hears it once, here, with the command that installs one, instead of a native-library failure later.
if (-not [ClinicaDL.Core.Runtime.RuntimeLocation]::Find($PSScriptRoot)) {
    Write-Warning ("ClinicaDL: " + [ClinicaDL.Core.Runtime.RuntimeMissingException]::NotFound($PSScriptRoot) +
        " Commands that train or run networks need one: " + [ClinicaDL.Core.Runtime.RuntimeMissingException]::Remedy + '.')
}
