# Exporting a MAPS' kept model, on the study and MAPS of Get-MapsInfo's tests (TestHelpers' cache): Conv5_FC3 on
# 1x57x70x60 images, splits 0 and 1 trained with loss and BA. The MAPS is only read; the files go to $TestDrive.
# That the ONNX file computes the network's outputs is checked by the engine's tests (OnnxExporterTests, with
# ONNX Runtime); here: what is written, where, when, and the errors.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Suffix = ',ClinicaDL.PowerShell.Commands.ExportClinicaDLModelCommand'
    $study = Get-TestStudy -ParticipantCount 12 -SessionCount 1 -VoxelSize 3 -Seed 4 -TestSize 4 -KFold 2
    $training = @{ Epochs = 1; BatchSize = 4; BootstrapResamples = 100; SelectionMetrics = 'loss', 'BA' }
    $script:Maps = (Get-TestMaps -Study $study -Training $training -Prediction @{ DataGroup = 'test' }).Path
    # TorchSharp's model file: the same float32 weights, with their names.
    $script:ModelFileBytes = (Get-Item (Join-Path $Maps 'split-0/best-loss/model.pt')).Length
}

Describe 'Export-ClinicaDLModel' {
    Context 'a PyTorch export (ClinicaDL''s model.pth.tar)' {
        It 'writes the kept model as the training''s own model.pth.tar holds it, with the epoch it was kept at' {
            $path = Join-Path $TestDrive 'split-0.pth.tar'
            $model = Export-ClinicaDLModel -MapsPath $Maps -Split 0 -Format PyTorch -OutputPath $path
            $model.Format | Should -Be 'PyTorch'
            $model.Opset | Should -BeNullOrEmpty
            $model.OutputShape | Should -Be @(2)
            # A PyTorch file is a zip: 'PK'.
            [IO.File]::ReadAllBytes($path)[0..1] | Should -Be @(0x50, 0x4b)
            $exported = [ClinicaDL.Core.Imaging.PyTorchFile]::ReadDictionary($path)
            $trained = [ClinicaDL.Core.Imaging.PyTorchFile]::ReadDictionary((Join-Path $Maps 'split-0/best-loss/model.pth.tar'))
            $exported['name'] | Should -Be 'Conv5_FC3'
            $exported['epoch'] | Should -Be $trained['epoch']
            @($exported['model'].Keys | Sort-Object) | Should -Be @($trained['model'].Keys | Sort-Object)
        }
    }

    Context 'an ONNX export' {
        It 'writes the model of a split and selection metric and describes the file' {
            $path = Join-Path $TestDrive 'models/split-0.onnx'
            $model = Export-ClinicaDLModel -MapsPath $Maps -Split 0 -OutputPath $path
            $model | Should -BeOfType ([ClinicaDL.Core.Export.ExportedModel])
            $model.Path | Should -Be $path
            $model.Format | Should -Be 'Onnx'
            $model.Architecture | Should -Be 'Conv5_FC3'
            $model.Network | Should -BeNullOrEmpty
            $model.Split | Should -Be 0
            $model.SelectionMetric | Should -Be 'loss'
            $model.InputShape | Should -Be @(1, 57, 70, 60)
            $model.OutputShape | Should -Be @(2)
            $model.Opset | Should -Be 17
            $model.MapsPath | Should -Be $Maps
            $model.Bytes | Should -Be (Get-Item $path).Length
            # The weights are all in the file.
            $model.Bytes | Should -BeGreaterThan (0.9 * $ModelFileBytes)
            # ONNX's ModelProto starts with ir_version (field 1, varint): the bytes 0x08 0x08 for IR version 8.
            $head = [IO.File]::ReadAllBytes($path)[0..1]
            $head | Should -Be @(8, 8)
            Get-ChildItem (Split-Path $path) | ForEach-Object Name | Should -Be @('split-0.onnx')
            ($model | Out-String) | Should -Match 'Conv5_FC3\s+0\s+loss\s+Onnx\s+\d+'
        }

        It 'takes the MAPS from Get-MapsInfo through the pipeline, with another split and selection metric' {
            $path = Join-Path $TestDrive 'split-1-BA.onnx'
            $model = Get-MapsInfo $Maps | Export-ClinicaDLModel -Split 1 -SelectionMetric BA -OutputPath $path
            $model.Split | Should -Be 1
            $model.SelectionMetric | Should -Be 'BA'
            $path | Should -Exist
            # Another model: other weights, so other bytes.
            $other = Export-ClinicaDLModel $Maps -Split 0 -SelectionMetric BA -OutputPath (Join-Path $TestDrive 'split-0-BA.onnx')
            (Get-FileHash $path).Hash | Should -Not -Be (Get-FileHash $other.Path).Hash
            $other.Bytes | Should -Be (Get-Item $path).Length
        }

        It 'writes nothing with -WhatIf' {
            $path = Join-Path $TestDrive 'whatif/model.onnx'
            Export-ClinicaDLModel $Maps -Split 0 -OutputPath $path -WhatIf | Should -BeNullOrEmpty
            Split-Path $path | Should -Not -Exist
        }

        It 'refuses an existing file without -Force, leaving it as it was, and replaces it with -Force' {
            $path = Join-Path $TestDrive 'existing.onnx'
            Set-Content -LiteralPath $path -Value 'not a model'
            $result = Export-ClinicaDLModel $Maps -Split 0 -OutputPath $path -ErrorVariable problems -ErrorAction SilentlyContinue
            $result | Should -BeNullOrEmpty
            $problems[0].FullyQualifiedErrorId | Should -Be "OutputExists$Suffix"
            $problems[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            $problems[0].TargetObject | Should -Be $path
            Get-Content -LiteralPath $path | Should -Be 'not a model'
            $model = Export-ClinicaDLModel $Maps -Split 0 -OutputPath $path -Force
            (Get-Item $path).Length | Should -Be $model.Bytes
            $model.Bytes | Should -BeGreaterThan 1000
        }
    }

    Context 'a selection the MAPS cannot satisfy' {
        It 'reports <Case> as <ErrorId>, writing nothing' -ForEach @(
            @{ Case = 'no -Split for a MAPS with two splits'; Arguments = @{}; ErrorId = 'InvalidInput'; Message = 'has splits 0, 1: name the one whose model to export \(-Split\)' }
            @{ Case = 'a split it does not have'; Arguments = @{ Split = 7 }; ErrorId = 'MapsItemNotFound'; Message = 'has no split 7 \(it has: 0, 1\)' }
            @{ Case = 'a selection metric it did not keep'; Arguments = @{ Split = 0; SelectionMetric = 'AUC' }; ErrorId = 'MapsItemNotFound'; Message = "has no selection metric 'AUC' \(it has: loss, BA\)" }
            @{ Case = '-Network for a single network'; Arguments = @{ Split = 0; Network = 1 }; ErrorId = 'InvalidInput'; Message = 'holds one network .*: leave -Network out' }
        ) {
            $path = Join-Path $TestDrive "refused-$($ErrorId)-$(Get-Random).onnx"
            Export-ClinicaDLModel $Maps -OutputPath $path @Arguments -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $problems[0].FullyQualifiedErrorId | Should -Be "$ErrorId$Suffix"
            $problems[0].Exception.Message | Should -Match $Message
            $path | Should -Not -Exist
        }

        It 'reports a folder that is not a MAPS with MapsNotFound, exports the MAPS piped after it, and refuses a second MAPS for the same file' {
            $folder = New-Item -ItemType Directory (Join-Path $TestDrive 'not-maps')
            $copy = Join-Path $TestDrive 'maps-copy'
            Copy-Item -Recurse $Maps $copy
            $models = $folder.FullName, $Maps, $copy | ForEach-Object { [pscustomobject]@{ MapsPath = $_ } } |
                Export-ClinicaDLModel -Split 0 -OutputPath (Join-Path $TestDrive 'piped.onnx') -Force -ErrorVariable problems -ErrorAction SilentlyContinue
            @($models).Count | Should -Be 1
            $models.MapsPath | Should -Be $Maps
            $problems.Count | Should -Be 2
            $problems[0].FullyQualifiedErrorId | Should -Be "MapsNotFound$Suffix"
            $problems[1].FullyQualifiedErrorId | Should -Be "InvalidInput$Suffix"
            $problems[1].Exception.Message | Should -Match 'already written by this command for another MAPS'
        }
    }
}
