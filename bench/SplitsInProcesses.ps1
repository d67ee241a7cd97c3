<#
.SYNOPSIS
    Wall time of one 2-fold training in one process, as 2 local child processes (-ThrottleLimit 2) and as 2 SLURM
    tasks (-Scheduler Slurm), measured in one run, alternating, and the same results each way.
.DESCRIPTION
    Run alone on the machine (no build, test or other benchmark beside it): the figures are wall times. Prints
    'name: value' lines: each way's median seconds over -Rounds, and its ratio to one process with every core
    (below 1: faster). The three ways train with the same data and seed; one process with every core (threads =
    cores) is the usual run, and 'one_process_threads_1' is the run whose bits the parts reproduce (each part trains
    with one thread on a 2-core machine), which the script checks: its training.tsv and weights equal the parts'.
    SLURM is measured only where sbatch is on the PATH and a node is ready (build/slurm/start-local-cluster.sh).
.EXAMPLE
    dotnet pwsh bench/SplitsInProcesses.ps1 -ModulePath out/ClinicaDL/ClinicaDL.psd1
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/ClinicaDL/ClinicaDL.psd1'),
    [string] $WorkPath = (Join-Path $PSScriptRoot '../out/bench-splits'),
    [int] $ParticipantCount = 40,
    [double] $VoxelSize = 2,
    [int] $Epochs = 4,
    [int] $Rounds = 2
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
Import-Module (Join-Path $PSScriptRoot '../tests/Pester/TestHelpers.psm1')
Remove-Item -Recurse -Force $WorkPath -ErrorAction SilentlyContinue
New-Item -ItemType Directory $WorkPath | Out-Null
$study = Join-Path $WorkPath 'study'
New-ClinicaDLSyntheticDataset -OutputPath $study -ParticipantCount $ParticipantCount -SessionCount 1 -VoxelSize $VoxelSize -Seed 1 | Out-Null
$split = New-ClinicaDLSplit -Path (Join-Path $study 'labels.tsv') -TestSize 8 -IgnoreDemographics -Seed 1
$folds = @(New-ClinicaDLSplit -Path $split.TrainPath -KFold 2 -Seed 1)
$training = @{ CapsPath = (Join-Path $study 'caps'); TsvPath = (Split-Path $folds[0].Path); Epochs = $Epochs; BatchSize = 4; BootstrapResamples = 20; Seed = 3 }
$slurm = -not (Get-SlurmAbsence)
$cores = [Environment]::ProcessorCount

$ways = [ordered]@{
    one_process = { param($maps) Start-ClinicaDLTraining @training -MapsPath $maps | Out-Null }
    one_process_threads_1 = { param($maps) Start-ClinicaDLTraining @training -MapsPath $maps -Threads 1 | Out-Null }
    local_processes = { param($maps) Start-ClinicaDLTraining @training -MapsPath $maps -ThrottleLimit 2 | Out-Null }
}
if ($slurm) {
    $ways['slurm_tasks'] = { param($maps) Start-ClinicaDLTraining @training -MapsPath $maps -Scheduler Slurm -CpusPerTask ([Math]::Max(1, [int]($cores / 2))) | Wait-ClinicaDLJob | Out-Null }
}
$seconds = @{}
foreach ($round in 1..$Rounds) {
    # Alternate the order between rounds, so that no way always runs first or last.
    $order = if ($round % 2) { @($ways.Keys) } else { @($ways.Keys)[($ways.Count - 1)..0] }
    foreach ($way in $order) {
        $maps = Join-Path $WorkPath "$way-$round"
        $watch = [Diagnostics.Stopwatch]::StartNew()
        & $ways[$way] $maps
        $seconds[$way] += @($watch.Elapsed.TotalSeconds)
    }
}
function Median([double[]] $values) { $sorted = @($values | Sort-Object); $sorted[[int][Math]::Floor(($sorted.Count - 1) / 2)] }
"cores: $cores"
"images: $((Import-Csv (Join-Path (Split-Path $folds[0].Path) 'split-0/train_baseline.tsv') -Delimiter "`t").Count + (Import-Csv (Join-Path (Split-Path $folds[0].Path) 'split-0/validation_baseline.tsv') -Delimiter "`t").Count) per split, $VoxelSize mm, $Epochs epochs"
$reference = Median $seconds['one_process']
foreach ($way in $ways.Keys) {
    $median = Median $seconds[$way]
    '{0}_seconds: {1:F1}' -f $way, $median
    '{0}_vs_one_process: {1:F2}' -f $way, ($median / $reference)
}
# The parts train with one thread each here (2 cores, 2 parts): their bits are those of one process with one thread.
if ($cores -eq 2) {
    $same = foreach ($way in @($ways.Keys | Where-Object { $_ -in 'local_processes', 'slurm_tasks' })) {
        $equal = -not (Compare-Object (Get-MapsFingerprint (Join-Path $WorkPath "$way-1") | Where-Object { $_ -notlike 'jobs/*' }) (Get-MapsFingerprint (Join-Path $WorkPath 'one_process_threads_1-1')))
        "${way}_same_as_one_process_threads_1: $equal"
    }
    $same
}
