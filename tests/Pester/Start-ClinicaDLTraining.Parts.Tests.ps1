# Training on the parts of an extraction (patch, slice, ROI): the parts cut at training time equal the ones
# Export-ClinicaDLTensor writes (two independent implementations), and the image-level results are the
# validation-weighted vote of the part-level ones, recomputed here from the written tables.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Suffix = ',ClinicaDL.PowerShell.Commands.StartClinicaDLTrainingCommand'
    # The cached study with its patch extraction (TestHelpers), copied: a test adds an extraction to the CAPS. The
    # patch and multi-network MAPS below are the cached ones Get-MapsResult's, Invoke-ClinicaDLPrediction's and
    # Resume-ClinicaDLTraining's tests read, trained on the cached study (the same data), copied here with the
    # results their training emitted.
    $script:Study = Get-TestStudy -ParticipantCount 12 -SessionCount 1 -VoxelSize 3 -Seed 21 -TestSize 3 -KFold 2 `
        -Extractions @{ Mode = 'Patch'; PatchSize = 24; StrideSize = 24; ExtractJson = 'patch24'; SaveFeatures = $true } -CopyTo (Join-Path $TestDrive 'study')
    $script:Caps = $Study.Caps
    $script:TestSplit = $Study.Split
    $folds = $Study.Folds
    $script:Common = @{ CapsPath = $Caps; TsvPath = (Split-Path $folds[0].Path); Split = 0; Epochs = 2; BatchSize = 8; BootstrapResamples = 20; Normalize = $true; LearningRate = 1e-3 }
    Export-ClinicaDLTensor $Caps Slice -SliceDirection 2 -SliceMode single -DiscardedSlices 10, 10 -ExtractJson axial -SaveFeatures | Out-Null
    Export-ClinicaDLTensor $Caps Roi -RoiList leftHippocampusBox, rightHippocampusBox -ExtractJson hippocampi -SaveFeatures | Out-Null
    Export-ClinicaDLTensor $Caps Slice -SliceDirection 0 -SliceMode rgb -DiscardedSlices 20, 20 -ExtractJson sagittal | Out-Null
    [ClinicaDL.Core.Runtime.TorchRuntime]::EnsureLoaded()

    function script:Read-Tsv([string] $path) { Import-Csv -LiteralPath $path -Delimiter "`t" }

    # Part <index> as the trainer cuts it (no normalisation), from the image tensor of the first session.
    function script:Get-CutPart([string] $json, [int] $index, [object[]] $masks = @()) {
        $options = [ClinicaDL.Core.Extraction.ExtractionOptions]::FromJson([ClinicaDL.Core.Extraction.ExtractionOptions]::ReadJson($Caps, $json), $Caps, $json)
        $imageFile = Get-ChildItem -Recurse -Path (Join-Path $Caps 'subjects/sub-001') -Filter '*.tensor' | Where-Object FullName -Like '*image_based*' | Select-Object -First 1
        $read = [ClinicaDL.Core.Imaging.TensorFile]::Read($imageFile.FullName)
        $image = [TorchSharp.torch]::tensor($read.Item2).reshape($read.Item1)
        $sampler = [ClinicaDL.Core.Training.PartSampler]::new($options, [int[]]@($read.Item1[1..3]), [ClinicaDL.Core.Extraction.RoiMask[]]$masks, $false)
        $part = $sampler.Extract($image, $index)
        [pscustomobject]@{ Shape = ($part.shape -join 'x'); Values = [float[]]$part.flatten().data[float]().ToArray(); Id = $sampler.PartId($index); Count = $sampler.Count }
    }

    function script:Get-WrittenPart([string] $filter) {
        $file = Get-ChildItem -Recurse -Path (Join-Path $Caps 'subjects/sub-001') -Filter $filter | Select-Object -First 1
        $read = [ClinicaDL.Core.Imaging.TensorFile]::Read($file.FullName)
        [pscustomobject]@{ Shape = ($read.Item1 -join 'x'); Values = $read.Item2 }
    }
}

Describe 'Parts cut for training' {
    It 'are the <Mode> tensors Export-ClinicaDLTensor writes' -ForEach @(
        @{ Mode = 'patch'; Json = 'patch24'; Index = 5; Filter = '*_patchsize-24_stride-24_patch-5_*.tensor'; Shape = '1x24x24x24'; Id = 5; Count = 8 }
        @{ Mode = 'slice'; Json = 'axial'; Index = 7; Filter = '*_axis-axi_channel-single_slice-17_*.tensor'; Shape = '1x57x70'; Id = 17; Count = 40 }
        @{ Mode = 'roi'; Json = 'hippocampi'; Index = 1; Filter = '*_roi-rightHippocampusBox_*.tensor'; Roi = $true }
    ) {
        $masks = if ($Roi) { 'leftHippocampusBox', 'rightHippocampusBox' | ForEach-Object { [ClinicaDL.Core.Extraction.RoiMask]::Find($Caps, 'MNI152NLin2009cSym', 'res-1x1x1', $_, $true) } } else { @() }
        $cut = Get-CutPart $Json $Index $masks
        $written = Get-WrittenPart $Filter
        $cut.Shape | Should -Be $written.Shape
        if (-not $Roi) { $cut.Shape | Should -Be $Shape; $cut.Id | Should -Be $Id; $cut.Count | Should -Be $Count }
        $cut.Values.Count | Should -Be $written.Values.Count
        $different = 0
        for ($i = 0; $i -lt $cut.Values.Count; $i++) { if ($cut.Values[$i] -ne $written.Values[$i]) { $different++ } }
        $different | Should -Be 0
        ($cut.Values | Measure-Object -Maximum).Maximum | Should -BeGreaterThan 0
    }
}

Describe 'Start-ClinicaDLTraining -ExtractJson' {
    Context 'patch mode' {
        BeforeAll {
            $script:Maps = Join-Path $TestDrive 'maps-patch'
            $script:Result = (Get-TestMaps -Study $Study -Training ($Common + @{ ExtractJson = 'patch24'; SelectionMetrics = 'loss', 'BA' }) -CopyTo $Maps).Results
            $script:Best = Join-Path $Maps 'split-0/best-loss'
        }

        It 'records the mode and the extraction in maps.json' {
            $Result.Status | Should -Be 'Completed'
            $json = Get-Content (Join-Path $Maps 'maps.json') -Raw | ConvertFrom-Json
            $json.mode | Should -Be 'patch'
            $json.num_networks | Should -Be 8
            $json.input_size | Should -Be @(1, 24, 24, 24)
            $json.preprocessing_dict.patch_size | Should -Be 24
            $json.preprocessing_dict.extract_json | Should -Be 'patch24.json'
        }

        It 'writes a row per part, then a row per image' {
            $validationSessions = (Read-Tsv (Join-Path $Maps 'groups/validation/split-0/data.tsv')).Count
            $parts = Read-Tsv (Join-Path $Best 'validation/validation_patch_level_prediction.tsv')
            $parts.Count | Should -Be (8 * $validationSessions)
            ($parts.patch_id | Sort-Object -Unique) | Should -Be @('0', '1', '2', '3', '4', '5', '6', '7')
            $images = Read-Tsv (Join-Path $Best 'validation/validation_image_level_prediction.tsv')
            $images.Count | Should -Be $validationSessions
            ($images.patch_id | Sort-Object -Unique) | Should -Be '0'
            Join-Path $Best 'train/train_patch_level_metrics.tsv' | Should -Exist
            Join-Path $Best 'train/train_image_level_metrics.tsv' | Should -Exist
        }

        It 'votes each image from its parts, weighted by their validation accuracy' {
            $validation = Read-Tsv (Join-Path $Best 'validation/validation_patch_level_prediction.tsv')
            $accuracy = @{}
            foreach ($group in $validation | Group-Object patch_id) {
                $accuracy[[int]$group.Name] = @($group.Group | Where-Object { $_.true_label -eq $_.predicted_label }).Count / $group.Count
            }
            $total = ($accuracy.Values | Measure-Object -Sum).Sum
            $train = Read-Tsv (Join-Path $Best 'train/train_patch_level_prediction.tsv')
            $voted = Read-Tsv (Join-Path $Best 'train/train_image_level_prediction.tsv')
            # An empty table would make the loop below assert nothing.
            @($voted).Count | Should -BeGreaterThan 0
            foreach ($image in $voted) {
                $rows = $train | Where-Object { $_.participant_id -eq $image.participant_id -and $_.session_id -eq $image.session_id }
                @($rows).Count | Should -BeGreaterThan 0
                $expected = if ($total -gt 0) {
                    ($rows | ForEach-Object { $accuracy[[int]$_.patch_id] / $total * [double]$_.proba0 } | Measure-Object -Sum).Sum
                } else {
                    ($rows | ForEach-Object { [double]$_.proba0 } | Measure-Object -Average).Average
                }
                [double]$image.proba0 | Should -BeGreaterOrEqual ($expected - 1e-9)
                [double]$image.proba0 | Should -BeLessOrEqual ($expected + 1e-9)
                $image.predicted_label | Should -Be $(if ($expected -ge 0.5) { '0' } else { '1' })
            }
        }

        It 'leaves saliency maps to whole-image MAPS' {
            { Invoke-ClinicaDLInterpretation -MapsPath $Maps -DataGroup validation -Name grad -Method Gradients -ErrorAction Stop } |
                Should -Throw -ExpectedMessage '*was trained in patch mode*'
        }
    }

    Context 'one network per part (multi-network)' {
        BeforeAll {
            $script:MultiMaps = Join-Path $TestDrive 'maps-multi'
            $script:Multi = @{ ExtractJson = 'patch24'; MultiNetwork = $true }
            $script:MultiResult = (Get-TestMaps -Study $Study -Training ($Common + $Multi) -CopyTo $MultiMaps).Results
            function script:Get-ModelHashes([string] $maps) {
                Get-ChildItem (Join-Path $maps 'split-0/best-loss') -Filter 'network-*_model.pt' | Sort-Object Name | ForEach-Object { (Get-FileHash $_.FullName).Hash }
            }
        }

        It 'trains and keeps a network per patch, each with its own log' {
            $MultiResult.Status | Should -Be 'Completed'
            (Get-Content (Join-Path $MultiMaps 'maps.json') -Raw | ConvertFrom-Json).multi_network | Should -BeTrue
            $info = Get-MapsInfo $MultiMaps
            $info.Mode | Should -Be 'patch'
            $info.PartsPerImage | Should -Be 8
            $info.MultiNetwork | Should -BeTrue
            $models = Get-ChildItem (Join-Path $MultiMaps 'split-0/best-loss') -Filter 'network-*_model.pt'
            $models.Name | Sort-Object | Should -Be @(0..7 | ForEach-Object { "network-$($_)_model.pt" })
            @(Get-ModelHashes $MultiMaps | Sort-Object -Unique).Count | Should -Be 8 -Because 'each network learns from its own patch'
            $log = Get-MapsTrainingLog $MultiMaps
            ($log.Network | Sort-Object -Unique) | Should -Be @(0..7)
            @($log | Where-Object Network -eq 5).Count | Should -Be 2
            Join-Path $MultiMaps 'split-0/tmp' | Should -Not -Exist
        }

        It 'writes every part from its own network, then votes per image' {
            $validationSessions = (Read-Tsv (Join-Path $MultiMaps 'groups/validation/split-0/data.tsv')).Count
            $parts = Read-Tsv (Join-Path $MultiMaps 'split-0/best-loss/validation/validation_patch_level_prediction.tsv')
            $parts.Count | Should -Be (8 * $validationSessions)
            ($parts.patch_id | Sort-Object -Unique) | Should -Be @('0', '1', '2', '3', '4', '5', '6', '7')
            (Read-Tsv (Join-Path $MultiMaps 'split-0/best-loss/validation/validation_image_level_prediction.tsv')).Count | Should -Be $validationSessions
            (Invoke-ClinicaDLPrediction -MapsPath $MultiMaps -DataGroup test -CapsPath $Caps -TsvPath $TestSplit.SubsetPath).Count | Should -Be 3
        }
    }

    It 'trains a 2D network on slices' {
        $maps = Join-Path $TestDrive 'maps-slice'
        $result = Start-ClinicaDLTraining @Common -ExtractJson axial -OutputPath $maps
        $result.Status | Should -Be 'Completed'
        $json = Get-Content (Join-Path $maps 'maps.json') -Raw | ConvertFrom-Json
        $json.input_size | Should -Be @(1, 57, 70)
        $parts = Read-Tsv (Join-Path $maps 'split-0/best-loss/validation/validation_slice_level_prediction.tsv')
        ($parts.slice_id | ForEach-Object { [int]$_ } | Measure-Object -Minimum -Maximum) | ForEach-Object { @($_.Minimum, $_.Maximum) } | Should -Be @(10, 49)
        (Read-Tsv (Join-Path $maps 'split-0/best-loss/validation/validation_image_level_prediction.tsv')).Count | Should -Be ($parts.Count / 40)
    }

    It 'trains ClinicaDL''s resnet18 on rgb slices' {
        $maps = Join-Path $TestDrive 'maps-resnet18'
        (Start-ClinicaDLTraining @Common -ExtractJson sagittal -Architecture resnet18 -OutputPath $maps).Status | Should -Be 'Completed'
        $json = Get-Content (Join-Path $maps 'maps.json') -Raw | ConvertFrom-Json
        $json.architecture | Should -Be 'resnet18'
        $json.input_size | Should -Be @(3, 70, 60)
        $json.num_networks | Should -Be 17
        $parts = Read-Tsv (Join-Path $maps 'split-0/best-loss/validation/validation_slice_level_prediction.tsv')
        ($parts.slice_id | Sort-Object { [int]$_ } -Unique | Select-Object -First 1 -Last 1) | Should -Be @('20', '36')
    }

    It 'trains on regions of interest, recording their background value' {
        $maps = Join-Path $TestDrive 'maps-roi'
        (Start-ClinicaDLTraining @Common -ExtractJson hippocampi -OutputPath $maps).Status | Should -Be 'Completed'
        $json = Get-Content (Join-Path $maps 'maps.json') -Raw | ConvertFrom-Json
        $json.mode | Should -Be 'roi'
        $json.num_networks | Should -Be 2
        $json.preprocessing_dict.roi_background_value | Should -Be 0
        $json.input_size.Count | Should -Be 4
        ((Read-Tsv (Join-Path $maps 'split-0/best-loss/train/train_roi_level_prediction.tsv')).roi_id | Sort-Object -Unique) | Should -Be @('0', '1')
    }

    It 'votes a regression by the mean of its parts' {
        $maps = Join-Path $TestDrive 'maps-regression'
        (Start-ClinicaDLTraining @Common -Task Regression -ExtractJson patch24 -OutputPath $maps).Status | Should -Be 'Completed'
        $parts = Read-Tsv (Join-Path $maps 'split-0/best-loss/validation/validation_patch_level_prediction.tsv')
        $images = @(Read-Tsv (Join-Path $maps 'split-0/best-loss/validation/validation_image_level_prediction.tsv'))
        # An empty table would make the loop below assert nothing.
        $images.Count | Should -BeGreaterThan 0
        foreach ($image in $images) {
            $mean = ($parts | Where-Object participant_id -eq $image.participant_id | ForEach-Object { [double]$_.predicted_label } | Measure-Object -Average).Average
            [Math]::Abs([double]$image.predicted_label - $mean) | Should -BeLessThan 1e-9
        }
    }

    It 'refuses <Case>, writing nothing' -ForEach @(
        @{ Case = 'an extraction the CAPS does not have'; Arguments = @{ ExtractJson = 'absent' }; Message = "*absent.json' does not exist; this CAPS has axial.json, hippocampi.json, patch24.json, sagittal.json*" }
        @{ Case = 'an extraction that does not fit the images'; Json = 'toolarge'; Arguments = @{ ExtractJson = 'toolarge' }; Message = "*extraction 'toolarge.json' does not fit these 57x70x60 images: A patch of 80 voxels*" }
        @{ Case = 'size reduction on patches'; Arguments = @{ ExtractJson = 'patch24'; SizeReduction = $true }; Message = '*size_reduction applies to whole images*' }
        @{ Case = 'a preprocessing the extraction was not made from'; Arguments = @{ ExtractJson = 'patch24'; Preprocessing = 'pet-linear' }; Message = '*contradicts the extraction*' }
    ) {
        if ($Json) {
            $text = (Get-Content (Join-Path $Caps 'tensor_extraction/patch24.json') -Raw) -replace '"patch_size": 24', '"patch_size": 80' -replace 'patch24.json', 'toolarge.json'
            Set-Content -LiteralPath (Join-Path $Caps "tensor_extraction/$Json.json") -Value $text
        }
        $maps = Join-Path $TestDrive "refused-$($Arguments.ExtractJson)"
        { Start-ClinicaDLTraining @Common @Arguments -OutputPath $maps -ErrorAction Stop } | Should -Throw -ErrorId "InvalidInput$Suffix" -ExpectedMessage $Message
        $maps | Should -Not -Exist
        if ($Json) { Remove-Item -LiteralPath (Join-Path $Caps "tensor_extraction/$Json.json") }
    }
}
