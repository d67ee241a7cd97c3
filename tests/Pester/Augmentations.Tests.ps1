# ClinicaDL's data augmentations (Core Augmentation/): each keeps the shape, is reproducible from a seed, and
# visibly changes a phantom image; training accepts them.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    Test-ClinicaDLEnvironment -Steps 2 | Out-Null
    $data = Join-Path $TestDrive 'data'
    New-ClinicaDLSyntheticDataset -OutputPath $data -ParticipantCount 8 -SessionCount 1 -VoxelSize 3 -Seed 9 | Out-Null
    $script:Data = $data
    $path = (Get-ChildItem -Path (Join-Path $data 'caps') -Recurse -Filter '*_T1w.nii.gz' | Select-Object -First 1).FullName
    $values = [ClinicaDL.Core.Imaging.NiftiReader]::ReadSingle($path, [ref] $null)
    # NIfTI order is x fastest: as a C-order tensor [z, y, x], permuted to [x, y, z]; scaled to [0, 1].
    $volume = [TorchSharp.torch]::tensor($values).reshape([long[]](60, 70, 57)).permute([long[]](2, 1, 0)).contiguous()
    $script:Image = ($volume / $volume.max()).unsqueeze(0)

    function Invoke-Augmentation([string] $Name, [int] $Seed) {
        $generator = [TorchSharp.torch+Generator]::new([uint64] $Seed, $null)
        try { [ClinicaDL.Core.Augmentation.Augmentations]::ApplyOne($Name, $Image, $generator) } finally { $generator.Dispose() }
    }
    function Get-MeanDifference($a, $b) { ($a - $b).abs().mean().item[float]() }
}

Describe 'Data augmentation' {
    It '<Name> keeps the shape, repeats with a seed and changes the image' -ForEach @(
        @{ Name = 'Noise' }, @{ Name = 'Erasing' }, @{ Name = 'CropPad' }, @{ Name = 'Smoothing' }, @{ Name = 'Motion' },
        @{ Name = 'Ghosting' }, @{ Name = 'Spike' }, @{ Name = 'BiasField' }, @{ Name = 'RandomBlur' }, @{ Name = 'RandomSwap' }
    ) {
        # Erasing acts with probability 0.5 and Smoothing's sigma can be near 0: take the first seed that acts.
        $seed = 1..20 | Where-Object { (Get-MeanDifference (Invoke-Augmentation $Name $_) $Image) -gt 1e-3 } | Select-Object -First 1
        $seed | Should -Not -BeNullOrEmpty -Because "$Name should change the image for some seed"
        $first = Invoke-Augmentation $Name $seed
        $again = Invoke-Augmentation $Name $seed
        $first.shape | Should -Be $Image.shape
        (Get-MeanDifference $first $again) | Should -Be 0
        $others = 1..20 | Where-Object { $_ -ne $seed } | ForEach-Object { Get-MeanDifference (Invoke-Augmentation $Name $_) $first }
        ($others | Measure-Object -Maximum).Maximum | Should -BeGreaterThan 0 -Because 'another seed gives another result'
        [bool] ($first.isnan().any().item[bool]()) | Should -BeFalse
    }

    It 'blurs as scipy.ndimage.gaussian_filter: radius int(4 sigma + 0.5), half-sample reflection at the edges' {
        # An impulse on the first voxel of a 7-voxel axis, sigma 0.8 (radius 3): reflection folds the taps that fall
        # before the edge back onto the impulse, so output[x] = w(-x) + w(-x - 1) with w the normalised kernel.
        $sigma = 0.8
        $w = -3..3 | ForEach-Object { [Math]::Exp(-0.5 * $_ * $_ / ($sigma * $sigma)) }
        $total = ($w | Measure-Object -Sum).Sum
        function Get-Tap([int] $t) { $w[$t + 3] / $total }
        $expected = @(((Get-Tap 0) + (Get-Tap -1)), ((Get-Tap -1) + (Get-Tap -2)), ((Get-Tap -2) + (Get-Tap -3)), (Get-Tap -3), 0, 0, 0)
        $impulse = [TorchSharp.torch]::zeros([long[]]@(1, 7, 2, 3))
        $impulse[0, 0].fill_(1) | Out-Null
        $blurred = [ClinicaDL.Core.Augmentation.GaussianBlur]::Apply($impulse, [double[]]@($sigma, 0, 0))
        $blurred.shape | Should -Be @(1, 7, 2, 3)
        $line = [float[]]$blurred.select(3, 2).select(2, 1).flatten().data[float]().ToArray()
        for ($x = 0; $x -lt 7; $x++) { [Math]::Abs($line[$x] - $expected[$x]) | Should -BeLessThan 1e-6 }
        ($blurred.sum().item[float]()) | Should -BeGreaterThan (6 - 1e-4) -Because 'reflection keeps the mass of each line'
    }

    It 'CropPad moves the content without resampling it' {
        $seed = 3
        $shifted = Invoke-Augmentation CropPad $seed
        # The phantom's total intensity can only fall (what leaves the grid) and every kept value is an original one.
        $shifted.sum().item[float]() | Should -BeLessOrEqual ($Image.sum().item[float]() + 1e-3)
        $shifted.max().item[float]() | Should -BeLessOrEqual ($Image.max().item[float]())
    }

    It 'refuses an unknown augmentation by name' {
        { [ClinicaDL.Core.Augmentation.Augmentations]::Validate([string[]] @('Noise', 'Flip')) } | Should -Throw -ExpectedMessage '*Unknown data augmentation(s) Flip*'
    }

    It 'trains with augmentations, records them and repeats the run exactly' {
        $split = New-ClinicaDLSplit -Path (Join-Path $Data 'labels.tsv') -TestSize 2 -IgnoreDemographics
        $folds = New-ClinicaDLSplit -Path $split.TrainPath -KFold 2
        $common = @{ CapsPath = (Join-Path $Data 'caps'); TsvPath = (Split-Path $folds[0].Path); Split = 0; Epochs = 2; BatchSize = 2; BootstrapResamples = 20; DataAugmentation = 'Noise', 'Motion', 'BiasField' }
        $verbose = Start-ClinicaDLTraining @common -OutputPath (Join-Path $TestDrive 'a') -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        # The image cache's size is stated before it is filled: 6 train and validation images of 57x70x60 float32, 0.96 MB each.
        ($verbose.Message -match 'Decoding 6 images into memory: about 6 MB as float32') | Should -Not -BeNullOrEmpty
        Start-ClinicaDLTraining @common -OutputPath (Join-Path $TestDrive 'b') | Out-Null
        (Get-Content (Join-Path $TestDrive 'a/maps.json') -Raw | ConvertFrom-Json).data_augmentation | Should -Be @('Noise', 'Motion', 'BiasField')
        $a = Get-Content (Join-Path $TestDrive 'a/split-0/training_logs/training.tsv') | ForEach-Object { ($_ -split "`t" | Select-Object -Skip 3) -join "`t" }
        $b = Get-Content (Join-Path $TestDrive 'b/split-0/training_logs/training.tsv') | ForEach-Object { ($_ -split "`t" | Select-Object -Skip 3) -join "`t" }
        $b | Should -Be $a
        # One torch thread on a machine with more cores: batches are prepared on a background thread, as exactly.
        if ([Environment]::ProcessorCount -gt 1) {
            Start-ClinicaDLTraining @common -Threads 1 -OutputPath (Join-Path $TestDrive 'c') | Out-Null
            Start-ClinicaDLTraining @common -Threads 1 -OutputPath (Join-Path $TestDrive 'd') | Out-Null
            $c = Get-Content (Join-Path $TestDrive 'c/split-0/training_logs/training.tsv') | ForEach-Object { ($_ -split "`t" | Select-Object -Skip 3) -join "`t" }
            $d = Get-Content (Join-Path $TestDrive 'd/split-0/training_logs/training.tsv') | ForEach-Object { ($_ -split "`t" | Select-Object -Skip 3) -join "`t" }
            $d | Should -Be $c
        }
    }
}
