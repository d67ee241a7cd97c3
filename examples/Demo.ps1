#Requires -Version 7.4

<#
.SYNOPSIS
    The main job of ClinicaDL for PowerShell, from data to a report, on the built-in synthetic data set.
.DESCRIPTION
    Generates 60 participants x 2 sessions of 3 mm brain phantoms (half with an AD-like atrophy, half CN), holds
    out 20% of the participants as a test set, splits the rest into 2 folds, audits the splits for data leakage,
    trains Conv5_FC3 on each fold, evaluates both folds' models once on the test set, maps where the models look
    (saliency) and writes the MAPS report. It prints the split, training and results tables, the test balanced
    accuracy, the MAPS path and the report path: about 3 minutes on 2 CPU cores.

    The same steps apply to a real cohort: replace the synthetic data set by your CAPS folder and labels.tsv
    (Get-ClinicaDLLabel), and use more folds and epochs.
.PARAMETER WorkPath
    The folder the demo writes into: data/ (BIDS, CAPS, labels.tsv and the split files) and maps/ (the trained
    models, their results and the report). Both are removed first, so every run starts from the same state.
.PARAMETER ModulePath
    The ClinicaDL module manifest to import; by default the one build.ps1 assembles in out/ClinicaDL.
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Build; dotnet pwsh ./examples/Demo.ps1

    Builds the module, then runs the demo into out/demo.
.EXAMPLE
    pwsh ./examples/Demo.ps1 -WorkPath ~/clinicadl-demo -ModulePath ~/modules/ClinicaDL/ClinicaDL.psd1

    Runs the demo with an installed copy of the module, into a folder of your own.
#>
[CmdletBinding()]
param(
    [string] $WorkPath = (Join-Path $PSScriptRoot '../out/demo'),

    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/ClinicaDL/ClinicaDL.psd1')
)

$ErrorActionPreference = 'Stop'
# The demo prints its own lines; progress bars would only interleave with them in a log.
$ProgressPreference = 'SilentlyContinue'

# Full paths: the cmdlets resolve relative paths from the current location, and the lines printed below name
# the MAPS and the report where a reader can find them from anywhere.
$work = [IO.Path]::GetFullPath($PSCmdlet.GetUnresolvedProviderPathFromPSPath($WorkPath))
$module = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($ModulePath)
Import-Module $module

# Start from nothing: New-ClinicaDLSplit and Start-ClinicaDLTraining refuse to replace earlier outputs (unless
# -Overwrite), which protects a real study but would stop a second run of the demo. Only the demo's own two
# folders are removed, never the rest of -WorkPath.
$data = Join-Path $work 'data'
$maps = Join-Path $work 'maps'
Remove-Item -LiteralPath $data, $maps -Recurse -Force -ErrorAction SilentlyContinue
$watch = [Diagnostics.Stopwatch]::StartNew()

# 1. Data. Procedural T1-weighted brain phantoms, written as BIDS and as a t1-linear CAPS with a labels.tsv, as
# Clinica and Get-ClinicaDLLabel would give them. Half the participants (AD) have shrunken hippocampi, a
# thinner temporal cortex and larger ventricles, progressing from one session to the next; the other half (CN)
# age without it. 3 mm voxels instead of the usual 1 mm keep training to minutes on a CPU. -Seed 0 gives the
# same images, byte for byte, on every run; the seeds below make the splits and the training repeatable too.
Write-Host 'Generating 60 participants x 2 sessions of 3 mm brain phantoms (half AD, half CN)...'
$sessions = New-ClinicaDLSyntheticDataset -OutputPath $data -ParticipantCount 60 -SessionCount 2 -VoxelSize 3 -Seed 0
Write-Host "  $($sessions.Count) images in $([int]$watch.Elapsed.TotalSeconds) s"

# 2. Splits. First a test hold-out of 20% of the participants, balanced on diagnosis, age and sex: these
# participants are kept aside until the very end. Then a 2-fold cross-validation of the remaining 80% only.
# The folds' validation sets choose the models (the best epoch of each fold), so their scores are optimistic;
# only the untouched test set gives a fair estimate of how the models do on new people. Both splits work per
# participant: every session of a participant lands on the same side, or the model would be tested on a brain
# it has already seen at another visit. The files are ClinicaDL's (split/, split/2_fold/split-<k>/).
$labels = Join-Path $data 'labels.tsv'
$split = New-ClinicaDLSplit -Path $labels -TestSize 0.2 -Seed 0
$folds = New-ClinicaDLSplit -Path $split.TrainPath -KFold 2 -Seed 0
$split, $folds | ForEach-Object { $_ } | Format-Table | Out-String -Width 160 | Write-Host

# 3. Leakage audit. Test-ClinicaDLDataLeakage reads every split under the data folder and looks for the ways
# leakage happens (Wen et al., 2020): a participant on both sides of a split, a split made by session rather
# than by participant, duplicated rows, folds whose validation sets overlap or miss someone, test participants
# inside the cross-validation data, and cross-validation with no test set above it. It writes one finding per
# problem, then a summary (the last object) whose Passed is true when no finding is an error.
$audit = Test-ClinicaDLDataLeakage -Path $data | Select-Object -Last 1
Write-Host "Leakage audit passed: $($audit.Passed)"

# 4. Training. One Conv5_FC3 (ClinicaDL's 3D CNN: five convolution blocks, three fully connected layers) per
# fold, trained on the fold's training participants and validated on its validation participants every epoch.
# Two models are kept per fold: the epoch with the lowest validation loss and the epoch with the best
# validation balanced accuracy (BA, the mean of sensitivity and specificity, which stays fair when the classes
# are not the same size). Everything goes into a MAPS folder, ClinicaDL's layout, with the seed and settings.
Write-Host 'Training Conv5_FC3 on both folds...'
$training = @{
    CapsPath        = Join-Path $data 'caps'
    TsvPath         = Split-Path $folds[0].Path
    MapsPath        = $maps
    Epochs          = 12
    BatchSize       = 4
    LearningRate    = 5e-4
    SelectionMetric = 'loss', 'BA'
    Seed            = 0
}
Start-ClinicaDLTraining @training | Format-Table | Out-String -Width 160 | Write-Host

# 5. Evaluation on the test set, once, with the models of both folds. Invoke-ClinicaDLPrediction refuses any
# participant the MAPS saw in training or validation, so the test set cannot be contaminated by mistake.
Invoke-ClinicaDLPrediction -MapsPath $maps -DataGroup test -CapsPath (Join-Path $data 'caps') -TsvPath $split.SubsetPath | Out-Null

# 6. Results: one row per data group (train, validation, test), fold and selection metric, with 95% bootstrap
# confidence intervals. The number to report is the test BA of the best-loss models, averaged over the folds.
Get-MapsResult -MapsPath $maps | Sort-Object DataGroup, Split, SelectionMetric | Format-Table | Out-String -Width 160 | Write-Host
$testBA = (Get-MapsResult -MapsPath $maps -DataGroup test -SelectionMetric loss | Measure-Object BA -Average).Average
Write-Host ('Test balanced accuracy (mean over folds, best-loss models): {0:0.000}' -f $testBA)

# 7. Interpretation and report. Gradient saliency maps, averaged over the test group, show which voxels drive
# the predictions; on these phantoms they should point at the hippocampi, temporal cortex and ventricles, where
# the atrophy was put, and a map lighting up elsewhere would be a reason to distrust a good score. Export-MapsReport
# gathers learning curves, confusion matrices, ROC curves, saliency overlays, metrics and settings into one
# report.html inside the MAPS.
Write-Host 'Saliency maps of the test group (gradients), then the report...'
Invoke-ClinicaDLInterpretation -MapsPath $maps -DataGroup test -Name gradients -Method Gradients | Out-Null
$report = Export-MapsReport -MapsPath $maps
Write-Host "MAPS: $maps"
Write-Host "Report: $($report.ReportPath) ($($report.Images.Count) pictures)"
Write-Host ('Main job finished in {0:0} s' -f $watch.Elapsed.TotalSeconds)
