# Every object the module emits must survive Export-Csv and ConvertTo-Json: a value in every CSV cell (never a
# type name such as System.Double[] or Dictionary`2[...]), names for enumerations and seconds for durations in
# JSON, PascalCase property names except a file's own columns, and the leakage override on every result row.
# The output types come from the cmdlets' [OutputType] attributes, so a new type without an instance here fails.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $declared = Get-Command -Module ClinicaDL | ForEach-Object OutputType | Group-Object Name
    $outputTypes = @($declared | ForEach-Object { @{ TypeName = $_.Name } })
    # The .NET classes among them (the others are PSObjects given a type name, with a file's columns).
    $classTypes = @($declared | Where-Object { $_.Group[0].Type } | ForEach-Object { @{ TypeName = $_.Name; Type = $_.Group[0].Type } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force

    # One small study and three one-epoch MAPS (classification, regression, reconstruction); every cmdlet runs once.
    $study = Join-Path $TestDrive 'study'
    $caps = Join-Path $study 'caps'
    $labels = Join-Path $TestDrive 'labels.tsv'
    $progression = Join-Path $TestDrive 'progression.tsv'
    $script:Maps = Join-Path $TestDrive 'maps'
    $all = [System.Collections.Generic.List[object]]::new()
    $all.AddRange(@(New-ClinicaDLSyntheticDataset -OutputPath $study -ParticipantCount 12 -SessionCount 1 -VoxelSize 3 -Seed 4))
    $all.AddRange(@(Import-BidsDataset (Join-Path $study 'bids')))
    $capsImages = @(Import-CapsDataset $caps -Preprocessing t1-linear)
    $all.AddRange($capsImages)
    $script:Image = Read-NiftiImage $capsImages[0].Path
    $all.Add($Image)
    $all.AddRange(@(Get-ClinicaDLLabel -BidsPath (Join-Path $study 'bids') -OutputPath $labels -WarningAction SilentlyContinue))
    $all.AddRange(@(Add-ClinicaDLProgression -Path $labels -OutputPath $progression))
    $all.AddRange(@(Get-ClinicaDLDemographics -Path $labels))
    $split = New-ClinicaDLSplit -Path (Join-Path $study 'labels.tsv') -TestSize 4 -IgnoreDemographics -Seed 1
    $folds = @(New-ClinicaDLSplit -Path $split.TrainPath -KFold 2 -Seed 1)
    $all.AddRange(@($split) + $folds)
    $common = @{ CapsPath = $caps; TsvPath = (Split-Path $folds[0].Path); Split = 0; Epochs = 1; BatchSize = 4; BootstrapResamples = 20; SelectionMetrics = 'loss' }
    $script:Training = Start-ClinicaDLTraining @common -OutputPath $Maps
    $all.Add($Training)
    $all.Add((Start-ClinicaDLTraining @common -OutputPath (Join-Path $TestDrive 'regression') -Task Regression -Label age))
    $all.Add((Start-ClinicaDLTraining @common -OutputPath (Join-Path $TestDrive 'reconstruction') -Task Reconstruction))
    $script:Predictions = @(Invoke-ClinicaDLPrediction $Maps test -CapsPath $caps -TsvPath $split.SubsetPath)
    # The validation participants of split 0 were seen in training: -AllowDataLeakage evaluates them as the group 'forced'.
    $script:Forced = @(Invoke-ClinicaDLPrediction $Maps forced -CapsPath $caps -TsvPath $folds[0].SubsetPath -AllowDataLeakage -WarningAction SilentlyContinue)
    $all.AddRange($Predictions + $Forced)
    $script:Metrics = @(Get-MapsResult $Maps)
    $all.AddRange($Metrics + @(Get-MapsResult (Join-Path $TestDrive 'regression')) + @(Get-MapsResult (Join-Path $TestDrive 'reconstruction')))
    $all.Add((Get-MapsInfo $Maps))
    $all.AddRange(@(Get-MapsTrainingLog $Maps))
    $all.AddRange(@(Test-ClinicaDLDataLeakage -MapsPath $Maps -DataPath $folds[0].SubsetPath))
    $all.AddRange(@(Invoke-ClinicaDLInterpretation $Maps test -Name gradients -Method Gradients))
    $all.Add((Export-MapsReport -MapsPath $Maps))
    $all.AddRange(@(Export-ClinicaDLTensor -CapsPath $caps -Mode Image -TsvPath $split.SubsetPath))
    # A one-trial random search of one epoch on the same split, and its ranking.
    Export-ClinicaDLTensor -CapsPath $caps -Mode Image -ExtractJson search_image | Out-Null
    $searchToml = Join-Path $TestDrive 'random_search.toml'
    Set-Content -LiteralPath $searchToml "[Random_Search]`nnetwork_task = 'classification'`ncaps_directory = '$caps'`ntsv_path = '$(Split-Path $folds[0].Path)'`npreprocessing_json = 'search_image.json'`nn_convblocks = [1, 2]`nfirst_conv_width = [4, 8]`nn_fcblocks = 1`n[Computational]`nbatch_size = 4`n[Cross_validation]`nsplit = [0]`n[Optimization]`nepochs = 1`nlearning_rate = [3, 4]"
    $all.AddRange(@(Start-ClinicaDLRandomSearch $searchToml (Join-Path $TestDrive 'search') -Trials 1))
    $all.AddRange(@(Get-ClinicaDLRandomSearch (Join-Path $TestDrive 'search')))
    # A local job (one split in a child process): its record, as -Scheduler Slurm emits one, and its tasks.
    $parallel = Join-Path $TestDrive 'parallel'
    $all.AddRange(@(Start-ClinicaDLTraining @common -OutputPath $parallel -ThrottleLimit 2))
    $all.AddRange(@([ClinicaDL.Core.Cluster.ClusterJob]::In($parallel)))
    $all.AddRange(@(Get-ClinicaDLJob $parallel))
    $all.AddRange(@(Invoke-ClinicaDLQualityCheck $caps -TemplatePath $capsImages[0].Path -OutputPath (Join-Path $TestDrive 'qc.tsv') -WarningAction SilentlyContinue))
    $all.Add((Export-ClinicaDLModel $Maps -OutputPath (Join-Path $TestDrive 'model.onnx')))
    $all.Add((Get-ClinicaDLEnvironment))
    # Install-ClinicaDLRuntime's object without a download: a runtime folder it finds complete (Install-ClinicaDLRuntime.Tests.ps1 downloads one).
    $runtimeRoot = Join-Path $TestDrive 'runtime'
    $selection = [ClinicaDL.Core.Runtime.RuntimePackages]::Select([ClinicaDL.Core.Runtime.RuntimePackages]::CurrentRuntimeIdentifier(), 'Cpu')
    $runtimeFolder = New-Item -ItemType Directory (Join-Path $runtimeRoot $selection.FolderName)
    Set-Content (Join-Path $runtimeFolder $selection.LibTorchSharpFileName) ''
    $package = @{ id = $selection.LibTorch.Id; version = $selection.LibTorch.Version; source = 'https://example.org/v3/index.json'; bytes = 1; hashVerified = $true }
    Set-Content (Join-Path $runtimeFolder 'runtime.json') (@{ torchSharp = $selection.TorchSharp.Version; packages = @($package) } | ConvertTo-Json -Depth 3)
    $env:CLINICADL_RUNTIME_ROOT = $runtimeRoot
    try { $all.Add((Install-ClinicaDLRuntime -Device Cpu -Source $runtimeRoot -WarningAction SilentlyContinue)) } finally { Remove-Item Env:CLINICADL_RUNTIME_ROOT }
    $all.Add((Test-ClinicaDLEnvironment -Steps 2))
    $all.AddRange(@(Get-ClinicaDLNetwork))
    $all.Add((Get-ClinicaDLNetwork -Path (Join-Path $PSScriptRoot '../../examples/networks/conv5-fc3.psd1') -InputShape 1, 24, 24, 24))
    $all.AddRange(@(Get-ChildItem (Join-Path $study 'bids/sub-*/*/anat/*.nii.gz') | Select-Object -First 1 |
        ConvertTo-BidsDataset -OutputPath (Join-Path $TestDrive 'converted') -Rules @{ datatype = 'anat'; suffix = 'T1w'; criteria = @{ SidecarFilename = '*T1w*' } } -ParticipantId 01))
    $all.Add((Test-BidsDataset (Join-Path $study 'bids')))
    $raw = Join-Path $TestDrive 'raw'
    New-ClinicaDLSyntheticDataset -OutputPath $raw -ParticipantCount 2 -SessionCount 1 -VoxelSize 3 -Raw -Seed 4 | Out-Null
    $all.AddRange(@(Invoke-ClinicaDLPreprocessing (Join-Path $raw 'bids') (Join-Path $TestDrive 'preprocessed') -ParticipantId sub-001 -TemplatePath (Join-Path $raw 'template/tpl-ClinicaDLPhantom_res-3_T1w.nii.gz')))
    # Keyed by the type name [OutputType] declares: the .NET type's, or the one a PSObject was given.
    $script:Emitted = $all | Group-Object { $_.PSObject.TypeNames[0] } -AsHashTable -AsString

    # Columns of a file kept as property names (see about_ClinicaDL): data, not the module's names.
    function Get-TsvHeader([string] $path) { (Get-Content -LiteralPath $path -TotalCount 1) -split "`t" }
    $labelColumns = @(Get-TsvHeader $labels) + @(Get-TsvHeader $progression) | Sort-Object -Unique
    $script:FileColumns = @{
        'ClinicaDL.LabelRow'       = { param($row) $labelColumns }
        'ClinicaDL.TrainingLogRow' = { param($row) Get-TsvHeader (Join-Path $Maps 'split-0/training_logs/training.tsv') }
        'ClinicaDL.Core.Datasets.BidsSession' = { param($session) $session.Attributes.Keys }
    }
    # A metric row's metrics are the columns of its metrics table (after the row names), each with its interval.
    $metricColumns = { param($row) Get-TsvHeader $row.Path | Select-Object -Skip 1 | ForEach-Object { $_; "$($_)_Lower"; "$($_)_Upper"; "$($_)_SE" } }
    'ClinicaDL.MapsMetric', 'ClinicaDL.RegressionMapsMetric', 'ClinicaDL.ReconstructionMapsMetric' | ForEach-Object { $FileColumns[$_] = $metricColumns }

    # The public properties of a type and of the module's types it holds, at any depth (the readable list and map
    # types are looked through to their items).
    function Get-NestedProperty([type] $type, [hashtable] $seen = @{}) {
        if ($seen.ContainsKey($type.FullName)) { return }
        $seen[$type.FullName] = $true
        foreach ($property in $type.GetProperties([Reflection.BindingFlags]'Public, Instance') | Where-Object { $_.GetIndexParameters().Count -eq 0 }) {
            [pscustomobject]@{ Owner = $type.Name; Name = $property.Name; Type = $property.PropertyType }
            $held = @($property.PropertyType) + $property.PropertyType.GetGenericArguments() + @($property.PropertyType.GetElementType()) |
                Where-Object { $_ -and $_.Namespace -like 'ClinicaDL*' -and -not $_.IsEnum }
            foreach ($inner in $held) {
                if ($inner.Name -like 'Readable*') { $inner.GetGenericArguments() | Where-Object Namespace -Like 'ClinicaDL*' | ForEach-Object { Get-NestedProperty $_ $seen } }
                else { Get-NestedProperty $inner $seen }
            }
        }
    }
}

Describe 'Output objects' {
    Context '<TypeName>' -ForEach $outputTypes {
        BeforeAll {
            $script:Objects = @(if ($Emitted.ContainsKey($TypeName)) { $Emitted[$TypeName] })
        }

        It 'has an instance from a real run (a new output type needs one in this file)' {
            $Objects.Count | Should -BeGreaterThan 0 -Because "no cmdlet run in BeforeAll emitted a $TypeName"
        }

        It 'exports to CSV with a value, never a type name, in every cell' {
            $file = Join-Path $TestDrive "$TypeName.csv"
            $Objects | Export-Csv -LiteralPath $file
            $rows = @(Import-Csv -LiteralPath $file)
            $rows.Count | Should -Be $Objects.Count
            $unreadable = foreach ($row in $rows) {
                foreach ($cell in $row.PSObject.Properties) {
                    $text = "$($cell.Value)"
                    if ($text -match 'System\.|ClinicaDL\.Core\.' -or $text.Contains('[]') -or $text.Contains([string][char]96)) { "$($cell.Name) = $($cell.Value)" }
                }
            }
            $unreadable | Should -BeNullOrEmpty
        }

        It 'converts to JSON with names for enumerations and seconds for durations' {
            $json = $Objects | ConvertTo-Json -Depth 5 -WarningVariable truncated -WarningAction SilentlyContinue
            $truncated | Should -BeNullOrEmpty -Because 'depth 5 must hold every nested object'
            $json | Should -Not -Match '"(Ticks|TotalMilliseconds|TotalSeconds|Milliseconds)"\s*:'
            $parsed = @($json | ConvertFrom-Json)
            $parsed.Count | Should -Be $Objects.Count
            $wrong = for ($i = 0; $i -lt $Objects.Count; $i++) {
                foreach ($property in $Objects[$i].PSObject.Properties) {
                    $value = $property.Value
                    if ($value -is [enum] -or $value -is [timespan] -or $value -is [datetime]) { "$($property.Name) holds a $($value.GetType().Name)" }
                    # A JSON number must come from a number, not from an enumeration's value.
                    $fromJson = $parsed[$i].($property.Name)
                    if (($fromJson -is [long] -or $fromJson -is [int] -or $fromJson -is [double] -or $fromJson -is [decimal] -or $fromJson -is [bigint]) -and
                        -not ($value -is [ValueType] -and $value -isnot [enum] -and $value -isnot [bool])) { "$($property.Name) = $fromJson in JSON" }
                }
            }
            $wrong | Should -BeNullOrEmpty
        }

        It 'names its properties in PascalCase, or as the columns of the file it comes from' {
            $misnamed = foreach ($object in $Objects) {
                $columns = if ($FileColumns.ContainsKey($TypeName)) { @(& $FileColumns[$TypeName] $object) } else { @() }
                $object.PSObject.Properties.Name | Where-Object { $_ -cnotmatch '^[A-Z][A-Za-z0-9]*$' -and $_ -cnotin $columns }
            }
            $misnamed | Sort-Object -Unique | Should -BeNullOrEmpty
        }
    }

    Context '<TypeName> as declared' -ForEach $classTypes {
        It 'names no property as an array''s own (Rank, Length, Count...), which member enumeration of a cmdlet''s output would not reach' {
            # (Get-ClinicaDLRandomSearch ./s).Rank once gave the array's rank, 1, instead of each trial's.
            $arrayOwn = [object[]].GetProperties().Name + [System.Collections.Generic.List[object]].GetProperties().Name | Sort-Object -Unique
            $Type.GetProperties().Name | Where-Object { $_ -in $arrayOwn } | Should -BeNullOrEmpty
        }

        It 'declares no enumeration, TimeSpan or DateTime at any depth, and only text-formattable properties' {
            $nested = @(Get-NestedProperty $Type)
            $nested | Where-Object { $_.Type.IsEnum -or $_.Type -in [timespan], [datetime], [datetimeoffset] } | ForEach-Object { "$($_.Owner).$($_.Name)" } | Should -BeNullOrEmpty
            $nested | Where-Object { $_.Name -cnotmatch '^[A-Z][A-Za-z0-9]*$' } | ForEach-Object { "$($_.Owner).$($_.Name)" } | Should -BeNullOrEmpty
            # Export-Csv writes ToString(): a top-level property must be a primitive, a string, or a type that
            # says what it holds (an array or a plain collection says its type name).
            $Type.GetProperties([Reflection.BindingFlags]'Public, Instance') | Where-Object {
                $t = [Nullable]::GetUnderlyingType($_.PropertyType) ?? $_.PropertyType
                -not ($t.IsPrimitive -or $t -eq [string] -or $t -eq [decimal]) -and
                ($t.IsArray -or $t.IsInterface -or $t.GetMethod('ToString', [type[]]@()).DeclaringType -in [object], [ValueType])
            } | ForEach-Object Name | Should -BeNullOrEmpty
        }
    }

    Context 'values that were type names or structures' {
        It 'keeps probabilities, best epochs and durations as values a script and a CSV reader both get back' {
            $row = $Predictions[0]
            $row.Probabilities.Count | Should -Be 2
            $row.Probabilities[0] + $row.Probabilities[1] | Should -BeGreaterThan 0.999
            $csv = $row | ConvertTo-Csv | ConvertFrom-Csv
            [double[]]($csv.Probabilities -split '; ') | Should -Be @($row.Probabilities)
            ($Training | ConvertTo-Csv | ConvertFrom-Csv).BestEpoch | Should -Be "loss=$($Training.BestEpoch.loss)"
            $Training.DurationSeconds | Should -BeGreaterThan 0
            ($Training | ConvertTo-Json | ConvertFrom-Json).DurationSeconds | Should -Be $Training.DurationSeconds
        }

        It 'exports a NIfTI image''s shape, affine and datatype as text and its affine rows as JSON' {
            $csv = $Image | ConvertTo-Csv | ConvertFrom-Csv
            $csv.Shape | Should -Be ($Image.Shape -join 'x')
            $csv.Affine | Should -Be ('[' + ((0..3 | ForEach-Object { '[' + ($Image.Affine[$_] -join ', ') + ']' }) -join ', ') + ']')
            $json = $Image | ConvertTo-Json -Depth 5 | ConvertFrom-Json
            $json.DataType | Should -Be 'Int16'
            foreach ($i in 0..3) { $json.Affine.Rows[$i] | Should -Be $Image.Affine[$i] }
            $Image.Affine[0, 3] | Should -Be $json.Affine.Rows[0][3]
        }

        It 'writes a leakage finding''s kind by name' {
            $finding = $Emitted['ClinicaDL.Core.Splits.LeakageFinding'][0]
            ($finding | ConvertTo-Json | ConvertFrom-Json).Kind | Should -Be 'SeenInTraining'
            ($Emitted['ClinicaDL.Core.Splits.LeakageAudit'][0] | ConvertTo-Csv | ConvertFrom-Csv).Findings | Should -Be 'SeenInTraining (Error)'
        }
    }

    Context 'a data group evaluated with the leakage override' {
        It 'keeps LeakageOverride on every metric row through Export-Csv and ConvertTo-Json' {
            $file = Join-Path $TestDrive 'results.csv'
            $Metrics | Export-Csv -LiteralPath $file
            $rows = Import-Csv -LiteralPath $file
            @($rows | Where-Object DataGroup -EQ forced).LeakageOverride | Sort-Object -Unique | Should -Be 'True'
            @($rows | Where-Object DataGroup -NE forced).LeakageOverride | Sort-Object -Unique | Should -Be 'False'
            $json = @($Metrics | ConvertTo-Json -Depth 5 | ConvertFrom-Json)
            ($json | Where-Object DataGroup -EQ forced).LeakageOverride | Should -BeTrue
            @($json | Where-Object DataGroup -NE forced).LeakageOverride | Should -Not -Contain $true
        }

        It 'keeps LeakageOverride on every prediction row through Export-Csv and ConvertTo-Json' {
            $Forced.Count | Should -BeGreaterThan 0
            $rows = @($Forced + $Predictions | ConvertTo-Csv | ConvertFrom-Csv)
            @($rows | Where-Object DataGroup -EQ forced).LeakageOverride | Sort-Object -Unique | Should -Be 'True'
            @($rows | Where-Object DataGroup -EQ test).LeakageOverride | Sort-Object -Unique | Should -Be 'False'
            @($Forced | ConvertTo-Json -Depth 5 | ConvertFrom-Json).LeakageOverride | Should -Not -Contain $false
        }
    }
}
