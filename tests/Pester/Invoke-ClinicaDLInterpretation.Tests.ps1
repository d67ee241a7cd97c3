BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Suffix = ',ClinicaDL.PowerShell.Commands.InvokeClinicaDLInterpretationCommand'
    # Strong atrophy, so that a short training learns where the disease is: the hippocampi shrink most.
    $script:Data = Join-Path $TestDrive 'data'
    New-ClinicaDLSyntheticDataset -OutputPath $Data -ParticipantCount 40 -SessionCount 1 -VoxelSize 3 -AtrophyStrength 2 -Seed 5 | Out-Null
    $script:Caps = Join-Path $Data 'caps'
    $script:Split = New-ClinicaDLSplit -Path (Join-Path $Data 'labels.tsv') -TestSize 8 -IgnoreDemographics -Seed 1
    $folds = New-ClinicaDLSplit -Path $Split.TrainPath -KFold 2 -Seed 1
    $script:Maps = Join-Path $TestDrive 'maps'
    Start-ClinicaDLTraining -CapsPath $Caps -TsvPath (Split-Path $folds[0].Path) -OutputPath $Maps -Split 0 -Epochs 8 -BatchSize 4 `
        -LearningRate 5e-4 -BootstrapResamples 50 -SelectionMetrics loss | Out-Null
    Invoke-ClinicaDLPrediction -MapsPath $Maps -DataGroup test -CapsPath $Caps -TsvPath $Split.SubsetPath | Out-Null
    $script:Source = Read-NiftiImage (Get-ChildItem -Path $Caps -Recurse -Filter '*_T1w.nii.gz' | Select-Object -First 1).FullName

    # Voxel values of a NIfTI file, x fastest, through the module's reader.
    function Get-Voxels([string] $path) { [ClinicaDL.Core.Imaging.NiftiReader]::ReadSingle($path, [ref] $null) }
    function Get-MaskVoxels([string] $name) {
        Get-Voxels (Get-ChildItem -Path (Join-Path $Caps 'masks') -Recurse -Filter "*_roi-$($name)_mask.nii.gz").FullName
    }
    # Sum of |map| inside a mask, and inside the same mask moved up by $shift voxels (a control region of equal volume).
    function Measure-MaskMass([float[]] $map, [float[]] $mask, [int[]] $shape, [int] $shift) {
        $plane = $shape[0] * $shape[1]
        $inside = 0.0; $control = 0.0
        for ($index = 0; $index -lt $mask.Length; $index++) {
            if ($mask[$index] -eq 1) {
                $inside += [Math]::Abs($map[$index])
                $control += [Math]::Abs($map[$index + $shift * $plane])
            }
        }
        [pscustomobject]@{ Inside = $inside; Control = $control }
    }
}

Describe 'Invoke-ClinicaDLInterpretation' {
    Context 'Grad-CAM and gradients on the test group' {
        BeforeAll {
            $script:GradCam = Invoke-ClinicaDLInterpretation -MapsPath $Maps -DataGroup test -Name cam -Method GradCam -SaveIndividual
            $script:Gradients = Invoke-ClinicaDLInterpretation -MapsPath $Maps -DataGroup test -Name gradients -Method Gradients
            $script:Folder = Join-Path $Maps 'split-0/best-loss/test/interpret-cam'
        }

        It 'writes the mean map and one map per session, as NIfTI and tensor files' {
            ($GradCam | Where-Object Kind -EQ mean).Count | Should -Be 1
            ($GradCam | Where-Object Kind -EQ individual).Count | Should -Be 8
            foreach ($map in $GradCam) {
                $map.Path | Should -Exist
                $map.TensorPath | Should -Exist
            }
            Join-Path $Folder 'mean_image-0_input.nii.gz' | Should -Exist
            (Get-Content (Join-Path $Folder 'interpretation.json') -Raw | ConvertFrom-Json).method | Should -Be 'GradCam'
            Get-ChildItem -Path (Split-Path $Folder) -Filter '*.tmp' | Should -BeNullOrEmpty
        }

        It '<Method> maps have the image''s shape and affine and are not constant' -ForEach @(@{ Method = 'GradCam' }, @{ Method = 'Gradients' }) {
            $mean = (Get-Variable -Name $Method -ValueOnly) | Where-Object Kind -EQ mean
            $image = Read-NiftiImage $mean.Path
            $image.Shape | Should -Be $Source.Shape
            $image.Affine | Should -Be $Source.Affine
            $mean.Shape | Should -Be ($Source.Shape -join 'x')
            $mean.Maximum | Should -BeGreaterThan $mean.Minimum
        }

        It 'maps Grad-CAM after an earlier layer on a finer grid with -GradCamLevel' {
            $fine = Invoke-ClinicaDLInterpretation $Maps test cam-level8 GradCam -GradCamLevel 8 | Where-Object Kind -EQ mean
            $coarse = $GradCam | Where-Object Kind -EQ mean
            $fine.Shape | Should -Be $coarse.Shape
            (Get-Content (Join-Path (Split-Path $fine.Path) 'interpretation.json') -Raw | ConvertFrom-Json).level_grad_cam | Should -Be 8
            # Upsampled from 15x18x15 rather than 2x3x2: along a line across the image the fine map turns (its slope
            # changes sign) several times, the coarse one, linear between 2 cells, at most once.
            $turns = {
                param($path)
                $v = Get-Voxels $path
                $line = 0..56 | ForEach-Object { $v[$_ + 57 * (35 + 70 * 20)] }
                $slopes = 1..56 | ForEach-Object { [Math]::Sign($line[$_] - $line[$_ - 1]) } | Where-Object { $_ -ne 0 }
                (1..($slopes.Count - 1) | Where-Object { $slopes[$_] -ne $slopes[$_ - 1] }).Count
            }
            (& $turns $coarse.Path) | Should -BeLessOrEqual 1
            (& $turns $fine.Path) | Should -BeGreaterThan 2
        }

        It 'divides the mean map by the number of sessions only once' {
            $individual = $GradCam | Where-Object Kind -EQ individual | ForEach-Object { , [ClinicaDL.Core.Imaging.TensorFile]::Read($_.TensorPath).Item2 }
            $individual.Count | Should -Be 8
            $mean = [ClinicaDL.Core.Imaging.TensorFile]::Read(($GradCam | Where-Object Kind -EQ mean).TensorPath).Item2
            foreach ($voxel in 0, 1000, 60000, 120000, 200000) {
                $expected = ($individual | ForEach-Object { $_[$voxel] } | Measure-Object -Average).Average
                $mean[$voxel] | Should -BeGreaterOrEqual ($expected - 1e-5 - 1e-4 * [Math]::Abs($expected))
                $mean[$voxel] | Should -BeLessOrEqual ($expected + 1e-5 + 1e-4 * [Math]::Abs($expected))
            }
        }

        # Grad-CAM is left out: its last feature map is 2x3x2 at 3 mm, each cell wider than the hippocampus box, and
        # after the second block (level 8) it lights the brain's rim, where the phantom's atrophy widens the CSF.
        It 'puts more gradient saliency in the hippocampi than in regions of equal volume 13 voxels above' {
            $mean = $Gradients | Where-Object Kind -EQ mean
            $map = Get-Voxels $mean.Path
            foreach ($side in 'leftHippocampusBox', 'rightHippocampusBox') {
                $mass = Measure-MaskMass $map (Get-MaskVoxels $side) $Source.Shape 13
                $mass.Inside | Should -BeGreaterThan $mass.Control -Because "$side"
            }
        }
    }

    Context 'other methods' {
        It 'SmoothGrad gives the same map for the same seed and another for another seed' {
            $first = Invoke-ClinicaDLInterpretation $Maps test smooth1 SmoothGrad -SmoothGradSamples 3 -Seed 4 -SaveIndividual | Where-Object ParticipantId -EQ (Import-Csv $Split.SubsetPath -Delimiter "`t")[0].participant_id
            $again = Invoke-ClinicaDLInterpretation $Maps test smooth2 SmoothGrad -SmoothGradSamples 3 -Seed 4 -SaveIndividual | Where-Object ParticipantId -EQ $first.ParticipantId
            $other = Invoke-ClinicaDLInterpretation $Maps test smooth3 SmoothGrad -SmoothGradSamples 3 -Seed 5 -SaveIndividual | Where-Object ParticipantId -EQ $first.ParticipantId
            $a = [ClinicaDL.Core.Imaging.TensorFile]::Read($first.TensorPath).Item2
            $b = [ClinicaDL.Core.Imaging.TensorFile]::Read($again.TensorPath).Item2
            $c = [ClinicaDL.Core.Imaging.TensorFile]::Read($other.TensorPath).Item2
            [System.Linq.Enumerable]::SequenceEqual($a, $b) | Should -BeTrue
            [System.Linq.Enumerable]::SequenceEqual($a, $c) | Should -BeFalse
        }

        It 'Occlusion fills each cube with one score drop' {
            $tsv = Join-Path $TestDrive 'one.tsv'
            Import-Csv $Split.SubsetPath -Delimiter "`t" | Select-Object -First 1 | Export-Csv $tsv -Delimiter "`t" -UseQuotes Never
            $map = Invoke-ClinicaDLInterpretation $Maps one occlusion Occlusion -OcclusionSize 20 -CapsPath $Caps -TsvPath $tsv
            $values = [ClinicaDL.Core.Imaging.TensorFile]::Read($map.TensorPath).Item2
            # 57x70x60 in cubes of 20: 3x4x3 = 36 cubes, so at most 36 distinct values.
            ($values | Sort-Object -Unique).Count | Should -BeLessOrEqual 36
            $map.Maximum | Should -BeGreaterThan $map.Minimum
        }
    }

    Context 'leakage and bad input' {
        It 'refuses a new group of training participants with DataLeakage, and records -AllowDataLeakage' {
            $trainTsv = Join-Path $TestDrive 'seen.tsv'
            Import-Csv $Split.TrainPath -Delimiter "`t" | Select-Object -First 2 | Export-Csv $trainTsv -Delimiter "`t" -UseQuotes Never
            { Invoke-ClinicaDLInterpretation $Maps seen leak Gradients -CapsPath $Caps -TsvPath $trainTsv -ErrorAction Stop } | Should -Throw -ErrorId "DataLeakage$Suffix"
            Join-Path $Maps 'groups/seen' | Should -Not -Exist
            $forced = Invoke-ClinicaDLInterpretation $Maps seen leak Gradients -CapsPath $Caps -TsvPath $trainTsv -AllowDataLeakage -WarningVariable warned 3>$null
            $forced.LeakageOverride | Should -BeTrue
            $warned | Should -Not -BeNullOrEmpty
            (Get-Content (Join-Path $Maps 'groups/seen/maps.json') -Raw | ConvertFrom-Json).leakage_override.participants.Count | Should -Be 2
        }

        It 'refuses <Case> with <ErrorId>' -ForEach @(
            @{ Case = 'an unknown data group'; Arguments = @{ DataGroup = 'nowhere'; Name = 'x'; Method = 'GradCam' }; ErrorId = 'MapsItemNotFound'; Message = 'has no data group ''nowhere'' (it has: *test, train, validation)*' }
            @{ Case = 'a split the MAPS lacks'; Arguments = @{ DataGroup = 'test'; Name = 'x'; Method = 'GradCam'; Split = 0, 7 }; ErrorId = 'MapsItemNotFound'; Message = 'has no split 7 (it has: 0)' }
            @{ Case = 'an untrained selection metric'; Arguments = @{ DataGroup = 'test'; Name = 'x'; Method = 'GradCam'; SelectionMetric = 'AUC' }; ErrorId = 'MapsItemNotFound'; Message = 'has no selection metric ''AUC'' (it has: loss)' }
            @{ Case = 'a target node the network lacks'; Arguments = @{ DataGroup = 'test'; Name = 'x'; Method = 'GradCam'; TargetNode = 2 }; ErrorId = 'InvalidInput'; Message = 'between 0 and 1' }
            @{ Case = 'a Grad-CAM level the network lacks'; Arguments = @{ DataGroup = 'test'; Name = 'x'; Method = 'GradCam'; GradCamLevel = 21 }; ErrorId = 'InvalidInterpretation'; Message = 'between 1 and 20 (the feature layers of Conv5_FC3); got 21' }
        ) {
            { Invoke-ClinicaDLInterpretation -MapsPath $Maps @Arguments -ErrorAction Stop } | Should -Throw -ErrorId "$ErrorId$Suffix" -ExpectedMessage "*$Message*"
        }

        It 'refuses an existing name, and replaces it with -Overwrite' {
            $first = Invoke-ClinicaDLInterpretation $Maps test again Gradients
            { Invoke-ClinicaDLInterpretation $Maps test again GradCam -ErrorAction Stop } | Should -Throw -ErrorId "OutputExists$Suffix" -ExpectedMessage '*already exists*'
            (Get-Content (Join-Path (Split-Path $first.Path) 'interpretation.json') -Raw | ConvertFrom-Json).method | Should -Be 'Gradients'
            Invoke-ClinicaDLInterpretation $Maps test again GradCam -Overwrite -Force | Out-Null
            (Get-Content (Join-Path (Split-Path $first.Path) 'interpretation.json') -Raw | ConvertFrom-Json).method | Should -Be 'GradCam'
        }

        It 'writes nothing with -WhatIf' {
            Invoke-ClinicaDLInterpretation $Maps test whatif Gradients -WhatIf
            Join-Path $Maps 'split-0/best-loss/test/interpret-whatif' | Should -Not -Exist
        }
    }
}
