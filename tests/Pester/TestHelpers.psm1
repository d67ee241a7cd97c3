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

# Starts a command of the built module in a child PowerShell process, its output (all streams) in -OutputFile; with
# -Gate, the command waits after the module is loaded until that file exists, so that several children released by
# one file start their work at the same moment. Returns the process (ExitCode 0 when the command raised no error).
function Start-ClinicaDLChild {
    param([Parameter(Mandatory)] [string] $Command, [Parameter(Mandatory)] [string] $OutputFile, [string] $Gate)
    $pwsh = [Environment]::GetCommandLineArgs()[0]
    $prefix = @(if ($pwsh -like '*.dll') { $pwsh })
    $wait = if ($Gate) { "New-Item -ItemType File '$OutputFile.ready' | Out-Null; while (-not (Test-Path '$Gate')) { Start-Sleep -Milliseconds 20 }; " } else { '' }
    $full = "`$ErrorActionPreference = 'Stop'; Import-Module '$(Get-ClinicaDLModulePath)'; $wait& { $Command } *> '$OutputFile'"
    Start-Process -FilePath ([Environment]::ProcessPath) -ArgumentList ($prefix + @('-NoProfile', '-NonInteractive', '-Command', $full)) -PassThru
}

Export-ModuleMember -Function Start-ClinicaDLChild

# Why the SLURM tests cannot run here, or $null where a cluster answers: sbatch on the PATH and a node ready for jobs.
function Get-SlurmAbsence {
    if (-not (Get-Command sbatch -ErrorAction SilentlyContinue)) { return 'sbatch is not on the PATH: these tests need a SLURM cluster (.ci/run starts a single-node one with build/slurm/start-local-cluster.sh)' }
    if (-not (@(sinfo -h -o '%t' 2>$null) -match '^(idle|mix|alloc)')) { return 'no SLURM node answers sinfo as ready: these tests need a SLURM cluster (.ci/run starts a single-node one with build/slurm/start-local-cluster.sh)' }
    $null
}

# A lock file beside (or, for a split, inside) an output as OutputLock writes it, naming this test's own process
# (alive), or with -Dead a start time that shows the process has gone.
function Set-OutputLock {
    param([Parameter(Mandatory)] [string] $LockPath, [switch] $Dead, [string] $Acquired = 'earlier')
    $self = Get-Process -Id $PID
    $start = if ($Dead) { $self.StartTime.AddHours(-3) } else { $self.StartTime }
    @{ pid = $PID; host = [Environment]::MachineName; process_start = $start.ToUniversalTime().ToString('O'); acquired = $Acquired } |
        ConvertTo-Json -Compress | Set-Content -LiteralPath $LockPath
}

Export-ModuleMember -Function Get-SlurmAbsence, Set-OutputLock

# ---------------------------------------------------------------------------------------------------------------
# Shared fixtures: a synthetic study (data set, hold-out split, k-fold split, optional extractions) and a MAPS
# trained on one, each built once and cached, so that the files that need the same study or MAPS do not each
# generate and train it again.
#
# The cache is <temp>/clinicadl-test-cache-<user> (or $env:CLINICADL_TEST_CACHE) / <hash of the module's assemblies
# and of this file> / <kind>-<hash of the arguments>: a rebuilt module or a changed fixture builder gets new entries,
# and a test never reads one made by another build. It outlives a run: running a file again reuses it.
#
# A fixture is built in place (a MAPS records the absolute path of its CAPS, so it cannot be built elsewhere and
# renamed) under an exclusive lock on <entry>.lock, which the system releases if the builder dies; '.fixture.xml',
# written last, marks an entry complete, and an entry without it is built again. Pester files run in separate
# processes therefore wait for each other instead of racing.
#
# Cached entries are shared: a test reads them and never writes to them. A test that writes to its study or MAPS
# (a prediction adds a data group, an extraction adds tensors) asks for its own copy with -CopyTo (under $TestDrive).
# A MAPS copy still names the cached CAPS in maps.json, which is the same data.

$script:FixtureCache = $null

function Get-TestCacheRoot {
    if ($script:FixtureCache) { return $script:FixtureCache }
    $moduleFolder = Split-Path (Get-ClinicaDLModulePath)
    $inputs = @(Get-ChildItem -LiteralPath $moduleFolder -Filter 'ClinicaDL*.dll' | Sort-Object Name | ForEach-Object FullName) + @(Join-Path $PSScriptRoot 'TestHelpers.psm1')
    $hashes = $inputs | ForEach-Object { (Get-FileHash -LiteralPath $_ -Algorithm SHA256).Hash }
    $build = Get-TextHash ($hashes -join ',')
    $base = if ($env:CLINICADL_TEST_CACHE) { $env:CLINICADL_TEST_CACHE } else { Join-Path ([IO.Path]::GetTempPath()) "clinicadl-test-cache-$([Environment]::UserName)" }
    $root = Join-Path $base $build
    New-Item -ItemType Directory -Force -Path $root | Out-Null
    [IO.Directory]::SetLastWriteTimeUtc($root, [DateTime]::UtcNow)
    if (-not $env:CLINICADL_TEST_CACHE) {
        # The entries of the builds no test file has used for two hours (each file touches its own, above): every
        # rebuilt module makes about 120 MB of new ones.
        Get-ChildItem -LiteralPath $base -Directory | Where-Object { $_.FullName -ne $root -and $_.LastWriteTimeUtc -lt [DateTime]::UtcNow.AddHours(-2) } |
            ForEach-Object { Remove-Item -LiteralPath $_.FullName -Recurse -Force -ErrorAction SilentlyContinue }
    }
    $script:FixtureCache = $root
    return $root
}

function Get-TextHash([string] $Text) {
    $bytes = [Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($Text))
    return [Convert]::ToHexString($bytes).Substring(0, 16).ToLowerInvariant()
}

# Arguments as text that does not depend on the order a hashtable enumerates its keys in.
function ConvertTo-CanonicalText($Value) {
    if ($null -eq $Value) { return 'null' }
    if ($Value -is [Collections.IDictionary]) {
        $pairs = $Value.Keys | Sort-Object | ForEach-Object { "$($_)=$(ConvertTo-CanonicalText $Value[$_])" }
        return '{' + ($pairs -join ';') + '}'
    }
    if ($Value -is [Array]) { return '[' + (($Value | ForEach-Object { ConvertTo-CanonicalText $_ }) -join ',') + ']' }
    if ($Value -is [double] -or $Value -is [single]) { return $Value.ToString('R', [Globalization.CultureInfo]::InvariantCulture) }
    if ($Value -is [Management.Automation.SwitchParameter]) { return "$($Value.IsPresent)" }
    return "$Value"
}

# The objects a fixture's builder emitted (split sets, training results), stored as CLIXML and given back with their
# paths moved to where the fixture is read from (the cache or a copy).
function Read-FixtureObjects([string] $Entry, [string] $From, [string] $To) {
    $text = [IO.File]::ReadAllText((Join-Path $Entry '.fixture.xml'))
    if ($From -ne $To) { $text = $text.Replace($From, $To) }
    return [Management.Automation.PSSerializer]::Deserialize($text)
}

function Invoke-CachedFixture {
    param([string] $Kind, [string] $Key, [scriptblock] $Build)
    $entry = Join-Path (Get-TestCacheRoot) "$Kind-$Key"
    $marker = Join-Path $entry '.fixture.xml'
    if (Test-Path -LiteralPath $marker) { return $entry }
    $deadline = [DateTime]::UtcNow.AddMinutes(30)
    $lock = $null
    while (-not $lock) {
        try { $lock = [IO.File]::Open("$entry.lock", [IO.FileMode]::OpenOrCreate, [IO.FileAccess]::ReadWrite, [IO.FileShare]::None) }
        catch [IO.IOException] {
            if ([DateTime]::UtcNow -gt $deadline) { throw "The test fixture '$entry' has been locked by another process for 30 minutes." }
            Start-Sleep -Milliseconds 250
        }
    }
    try {
        if (Test-Path -LiteralPath $marker) { return $entry }
        # Left by a builder that failed or died: start again.
        if (Test-Path -LiteralPath $entry) { Remove-Item -LiteralPath $entry -Recurse -Force }
        New-Item -ItemType Directory -Path $entry | Out-Null
        $objects = & $Build $entry
        $partial = Join-Path $entry '.fixture.xml.partial'
        [IO.File]::WriteAllText($partial, [Management.Automation.PSSerializer]::Serialize($objects, 4))
        Move-Item -LiteralPath $partial -Destination $marker
        return $entry
    }
    finally {
        $lock.Dispose()
    }
}

function Copy-FixtureEntry([string] $Entry, [string] $Destination) {
    if (Test-Path -LiteralPath $Destination) { throw "Cannot copy the test fixture to '$Destination': it exists." }
    Copy-Item -LiteralPath $Entry -Destination $Destination -Recurse
    Remove-Item -LiteralPath (Join-Path $Destination '.fixture.xml') -ErrorAction Ignore
    return (Resolve-Path -LiteralPath $Destination).ProviderPath
}

<#
.SYNOPSIS
    A synthetic study: New-ClinicaDLSyntheticDataset, a hold-out split of its labels.tsv (-IgnoreDemographics) and a
    k-fold split of its train.tsv, then any extractions; cached (see above), or copied to -CopyTo.
.OUTPUTS
    Path, Bids, Caps, Labels; Split (the hold-out SplitSet: TrainPath, SubsetPath...), Folds (the fold SplitSets),
    KFold (their folder, the TsvPath of a training); Arguments, to give Get-TestMaps.
    The split sets are deserialised copies of New-ClinicaDLSplit's objects, with their paths where the study is.
#>
function Get-TestStudy {
    param(
        [int] $ParticipantCount = 12,
        [int] $SessionCount = 1,
        [double] $VoxelSize = 3,
        [int] $Seed = 0,
        [double] $TestSize = 4,
        [int] $SplitSeed = 0,
        [int] $KFold = 2,
        [int] $KFoldSeed = 0,
        # Export-ClinicaDLTensor arguments (besides -CapsPath), one hashtable per extraction, in order.
        [hashtable[]] $Extractions = @(),
        [string] $CopyTo
    )
    $arguments = [ordered]@{
        ParticipantCount = $ParticipantCount; SessionCount = $SessionCount; VoxelSize = $VoxelSize; Seed = $Seed
        TestSize = $TestSize; SplitSeed = $SplitSeed; KFold = $KFold; KFoldSeed = $KFoldSeed; Extractions = $Extractions
    }
    $entry = Invoke-CachedFixture -Kind 'study' -Key (Get-TextHash (ConvertTo-CanonicalText $arguments)) -Build {
        param($folder)
        New-ClinicaDLSyntheticDataset -OutputPath $folder -ParticipantCount $ParticipantCount -SessionCount $SessionCount -VoxelSize $VoxelSize -Seed $Seed | Out-Null
        $split = New-ClinicaDLSplit -Path (Join-Path $folder 'labels.tsv') -TestSize $TestSize -IgnoreDemographics -Seed $SplitSeed
        $folds = @(New-ClinicaDLSplit -Path $split.TrainPath -KFold $KFold -Seed $KFoldSeed)
        foreach ($extraction in $Extractions) {
            Export-ClinicaDLTensor -CapsPath (Join-Path $folder 'caps') @extraction | Out-Null
        }
        @{ Split = $split; Folds = $folds }
    }
    $location = if ($CopyTo) { Copy-FixtureEntry $entry $CopyTo } else { $entry }
    $objects = Read-FixtureObjects $entry $entry $location
    [pscustomobject]@{
        Path      = $location
        Bids      = Join-Path $location 'bids'
        Caps      = Join-Path $location 'caps'
        Labels    = Join-Path $location 'labels.tsv'
        Split     = $objects.Split
        Folds     = @($objects.Folds)
        KFold     = Split-Path @($objects.Folds)[0].Path
        Arguments = $arguments
    }
}

<#
.SYNOPSIS
    A MAPS trained on a Get-TestStudy study (its cached copy, whatever -Study was given), then predicted on data
    groups; cached (see above), or copied to -CopyTo.
.PARAMETER Training
    Start-ClinicaDLTraining arguments; -CapsPath and -TsvPath are the study's CAPS and k-fold folder.
.PARAMETER Prediction
    Invoke-ClinicaDLPrediction arguments, one hashtable per prediction; -CapsPath and -TsvPath default to the
    study's CAPS and test sessions (the hold-out split's SubsetPath).
.OUTPUTS
    Path (the MAPS folder), Results (Start-ClinicaDLTraining's results, deserialised, with their paths where the
    MAPS is), Study (the cached study).
#>
function Get-TestMaps {
    param(
        [Parameter(Mandatory)] [psobject] $Study,
        [hashtable] $Training = @{},
        [hashtable[]] $Prediction = @(),
        [string] $CopyTo
    )
    $studyArguments = @{} + $Study.Arguments
    $cached = Get-TestStudy @studyArguments
    # The paths are the cached study's and the cache's, whatever the caller's hashtable holds (often its own CAPS).
    $trainingArguments = @{} + $Training
    'CapsPath', 'TsvPath', 'OutputPath', 'MapsPath' | ForEach-Object { $trainingArguments.Remove($_) }
    $key = Get-TextHash (ConvertTo-CanonicalText ([ordered]@{ Study = $Study.Arguments; Training = $trainingArguments; Prediction = $Prediction }))
    $entry = Invoke-CachedFixture -Kind 'maps' -Key $key -Build {
        param($folder)
        $maps = Join-Path $folder 'maps'
        $results = @(Start-ClinicaDLTraining -CapsPath $cached.Caps -TsvPath $cached.KFold -OutputPath $maps @trainingArguments)
        if ($results.Status -ne 'Completed') { throw "The test MAPS '$maps' did not train: $($results.Message)" }
        foreach ($group in $Prediction) {
            $arguments = @{ CapsPath = $cached.Caps; TsvPath = $cached.Split.SubsetPath }
            $group.Keys | ForEach-Object { $arguments[$_] = $group[$_] }
            Invoke-ClinicaDLPrediction -MapsPath $maps @arguments | Out-Null
        }
        @{ Results = $results }
    }
    $cachedMaps = Join-Path $entry 'maps'
    $location = if ($CopyTo) { Copy-FixtureEntry $cachedMaps $CopyTo } else { $cachedMaps }
    $objects = Read-FixtureObjects $entry $cachedMaps $location
    [pscustomobject]@{ Path = $location; Results = @($objects.Results); Study = $cached }
}

Export-ModuleMember -Function Get-TestStudy, Get-TestMaps

# The scalars of a TensorBoard run folder's single event file (split-<k>/training_logs/tensorboard/<run>), as
# "step<TAB>tag<TAB>value" lines, without the wall times, which differ between two identical runs. Decoded with the
# module's Google.Protobuf; the framing's CRCs are checked by the xunit tests' parser, not here.
function Get-TensorBoardScalars([string] $Folder) {
    Add-Type -LiteralPath (Join-Path (Split-Path (Get-ClinicaDLModulePath)) 'Google.Protobuf.dll')
    $files = @(Get-ChildItem -LiteralPath $Folder -Filter 'events.out.tfevents.*')
    if ($files.Count -ne 1) { throw "$Folder holds $($files.Count) event files, not one." }
    $bytes = [IO.File]::ReadAllBytes($files[0].FullName)
    $offset = 0
    while ($offset -lt $bytes.Length) {
        $length = [int][BitConverter]::ToUInt64($bytes, $offset)
        $event = [Google.Protobuf.CodedInputStream]::new($bytes, $offset + 12, $length)
        $step = 0
        while (($tag = $event.ReadTag()) -ne 0) {
            switch ($tag) {
                9 { $null = $event.ReadDouble() }
                16 { $step = $event.ReadInt64() }
                26 { $null = $event.ReadString() }
                42 {
                    $summary = $event.ReadBytes().CreateCodedInput()
                    while ($summary.ReadTag() -ne 0) {
                        $value = $summary.ReadBytes().CreateCodedInput()
                        $null = $value.ReadTag(); $name = $value.ReadString()
                        $null = $value.ReadTag(); $number = $value.ReadFloat()
                        "$step`t$name`t$($number.ToString('R', [Globalization.CultureInfo]::InvariantCulture))"
                    }
                }
                default { throw "Unexpected Event field tag $tag in $($files[0].FullName)" }
            }
        }
        $offset += 12 + $length + 4
    }
}
Export-ModuleMember -Function Get-TensorBoardScalars

# 'relative path: SHA-256' of every file of a MAPS (or of those matching -Filter), sorted; training.tsv by its
# rows, so that a failure shows the losses, and TensorBoard event files by their scalars under the folder's name.
# Left out: the logs that hold a date or the MAPS path (and each split's environment.txt: its runs' dates, nodes
# and jobs), training.tsv's time column (seconds elapsed), and the event files' wall times and names (time, host,
# process).
function Get-MapsFingerprint([string] $Maps, [string] $Filter = '*') {
    Get-ChildItem -LiteralPath $Maps -Recurse -File | Where-Object Name -NotIn 'information.log', 'description.log' |
        Where-Object { -not ($_.Name -eq 'environment.txt' -and $_.Directory.Name -like 'split-*') } | ForEach-Object {
        $relative = [IO.Path]::GetRelativePath($Maps, $_.FullName).Replace('\', '/')
        if ($_.Name -like 'events.out.tfevents.*') {
            "$([IO.Path]::GetDirectoryName($relative).Replace('\', '/'))/events.out.tfevents: " + ((Get-TensorBoardScalars $_.DirectoryName) -join ' | ')
        }
        elseif ($_.Name -eq 'training.tsv') {
            $rows = @(Get-Content -LiteralPath $_.FullName)
            $time = [array]::IndexOf(($rows[0] -split "`t"), 'time')
            "${relative}: " + (($rows | ForEach-Object { $cells = [Collections.Generic.List[string]] ($_ -split "`t"); $cells.RemoveAt($time); $cells -join ' ' }) -join ' | ')
        }
        else {
            "${relative}: $((Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash)"
        }
    } | Where-Object { $_ -like $Filter } | Sort-Object
}

Export-ModuleMember -Function Get-MapsFingerprint
