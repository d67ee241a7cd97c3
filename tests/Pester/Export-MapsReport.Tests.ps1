BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    $script:Suffix = ',ClinicaDL.PowerShell.Commands.ExportMapsReportCommand'
    $data = Join-Path $TestDrive 'data'
    New-ClinicaDLSyntheticDataset -OutputPath $data -ParticipantCount 16 -SessionCount 1 -VoxelSize 3 -Seed 8 | Out-Null
    $script:Caps = Join-Path $data 'caps'
    $split = New-ClinicaDLSplit -Path (Join-Path $data 'labels.tsv') -TestSize 4 -IgnoreDemographics
    $folds = New-ClinicaDLSplit -Path $split.TrainPath -KFold 2
    $script:Maps = Join-Path $TestDrive 'maps'
    Start-ClinicaDLTraining -CapsPath $Caps -TsvPath (Split-Path $folds[0].Path) -OutputPath $Maps -Split 0 -Epochs 3 -BatchSize 4 `
        -LearningRate 5e-4 -BootstrapResamples 50 -SelectionMetrics loss, BA | Out-Null
    Invoke-ClinicaDLPrediction -MapsPath $Maps -DataGroup test -CapsPath $Caps -TsvPath $split.SubsetPath | Out-Null
    Invoke-ClinicaDLInterpretation -MapsPath $Maps -DataGroup test -Name cam -Method GradCam -SelectionMetric loss | Out-Null
    $script:Report = Export-MapsReport -MapsPath $Maps
    $script:Folder = Join-Path $Maps 'report'

    function Get-PngSize([string] $path) {
        $bitmap = [SkiaSharp.SKBitmap]::Decode($path)
        try { [pscustomobject]@{ Width = $bitmap.Width; Height = $bitmap.Height } } finally { $bitmap.Dispose() }
    }
}

Describe 'Export-MapsReport' {
    It 'writes the learning curves, the learning rate, confusion matrices, ROC curves and saliency overlay' {
        $names = $Report.Images | ForEach-Object { Split-Path $_ -Leaf } | Sort-Object
        foreach ($name in 'split-0_loss.png', 'split-0_BA.png', 'split-0_best-loss_test_confusion.png', 'split-0_best-loss_test_roc.png',
            'split-0_best-BA_validation_confusion.png', 'split-0_best-loss_train_roc.png', 'split-0_best-loss_test_interpret-cam.png', 'split-0_learning_rate.png') {
            $names | Should -Contain $name
        }
        $Report.ReportPath | Should -Be (Join-Path $Folder 'report.html')
        Get-ChildItem -Path $Folder -Filter '*.tmp*' | Should -BeNullOrEmpty
    }

    It 'writes PNG files that decode to the expected size' {
        Get-PngSize (Join-Path $Folder 'split-0_loss.png') | Should -BeLike '*Width=640; Height=420*'
        Get-PngSize (Join-Path $Folder 'split-0_best-loss_test_confusion.png') | Should -BeLike '*Width=640; Height=420*'
        # Three square 256-pixel panels whatever the grid (the 57x70x60 slices once gave panels 228, 228 and 280 wide),
        # a colour bar with its labels, a title above and the slice coordinates below.
        Get-PngSize (Join-Path $Folder 'split-0_best-loss_test_interpret-cam.png') | Should -BeLike '*Width=922; Height=330*'
    }

    It 'embeds every picture and summarises the MAPS in one HTML file' {
        $html = Get-Content $Report.ReportPath -Raw
        ([regex]::Matches($html, 'src="data:image/png;base64,')).Count | Should -Be $Report.Images.Count
        $html | Should -Not -Match 'src="(?!data:)'
        $html | Should -Match 'Conv5_FC3'
        $html | Should -Match '<td>test</td><td>all</td><td>4</td><td>4</td>'
        $html | Should -Match 'torchsharp==0\.107\.0'
    }

    It 'opens in headless Chromium without console errors, fits a 1280-pixel window and gives a screenshot' {
        $chromium = Get-Command chromium, chromium-browser -ErrorAction SilentlyContinue | Select-Object -First 1
        if (-not $chromium) {
            Set-ItResult -Skipped -Because 'Chromium is not installed (.ci/run installs Debian''s chromium package)'
            return
        }
        $userData = Join-Path $TestDrive 'chromium-profile'
        $common = @('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', "--user-data-dir=$userData", '--window-size=1280,2000')
        $screenshot = Join-Path $TestDrive 'report.png'
        $log = & $chromium.Source @common --enable-logging=stderr --v=0 "--screenshot=$screenshot" ([Uri] "file://$($Report.ReportPath)").AbsoluteUri 2>&1 | Out-String
        $screenshot | Should -Exist -Because $log
        (Get-PngSize $screenshot).Width | Should -Be 1280
        $log | Should -Not -Match 'CONSOLE\(\d+\).*(Error|Uncaught)|Uncaught'

        # Widths as Chromium lays the page out, every details toggle opened: a copy of the report with a script that
        # writes them into the DOM, read back with --dump-dom. The report itself carries no script.
        $measured = Join-Path $TestDrive 'measured.html'
        $probe = '<script>document.querySelectorAll("details").forEach(d => d.open = true); const t = [...document.querySelectorAll("table")]; ' +
            'document.body.insertAdjacentHTML("beforeend", "<pre id=\"widths\">" + ' +
            'JSON.stringify({ window: innerWidth, visible: document.documentElement.clientWidth, page: document.documentElement.scrollWidth, ' +
            'tables: Math.max(...t.map(e => e.getBoundingClientRect().right)) }) + "</pre>");</script>'
        (Get-Content $Report.ReportPath -Raw) -replace '</body>', "$probe</body>" | Set-Content -LiteralPath $measured
        $dom = & $chromium.Source @common --dump-dom ([Uri] "file://$measured").AbsoluteUri 2>$null | Out-String
        $dom -match '<pre id="widths">(\{.*?\})</pre>' | Should -BeTrue -Because 'the probe writes the widths into the page'
        $widths = $Matches[1] | ConvertFrom-Json
        $widths.window | Should -Be 1280
        # The visible width is the window's less the vertical scroll bar; anything wider scrolls sideways.
        $widths.page | Should -BeLessOrEqual $widths.visible -Because 'the report must not scroll sideways in a 1280-pixel window'
        $widths.tables | Should -BeLessOrEqual $widths.visible
        if ($env:CLINICADL_REPORT_ARTIFACTS) {
            Copy-Item -LiteralPath $screenshot -Destination (Join-Path $env:CLINICADL_REPORT_ARTIFACTS 'report-screenshot.png') -Force
            Copy-Item -LiteralPath (Join-Path $Folder 'split-0_best-loss_test_interpret-cam.png') -Destination (Join-Path $env:CLINICADL_REPORT_ARTIFACTS 'saliency-overlay.png') -Force
        }
    }

    It 'puts the selection metrics first in the metrics table, each confidence interval on a line below its value' {
        $html = Get-Content $Report.ReportPath -Raw
        $html | Should -Match '<table class="metrics"><tr><th>group</th><th>split</th><th>selection</th><th>loss</th><th>BA</th><th>AUC</th>'
        $html | Should -Match '<td>\d\.\d{3}<br><span class="ci">\[\d\.\d{3}, \d\.\d{3}\]</span></td>'
        # Thirteen metrics: eight beside the key columns, the other five behind a toggle.
        $columns = [regex]::Matches($html, '<table class="metrics"><tr>(.*?)</tr>') | ForEach-Object { ([regex]::Matches($_.Groups[1].Value, '<th>')).Count - 3 }
        $columns -join ', ' | Should -Be '8, 5'
        $html | Should -Match '<details><summary>More metrics: NPV, MCC, MK, LR_plus, LR_minus</summary><table class="metrics">'
    }

    It 'refuses a folder that is not a MAPS with MapsNotFound' {
        { Export-MapsReport -MapsPath $TestDrive -ErrorAction Stop } | Should -Throw -ErrorId "MapsNotFound$Suffix" -ExpectedMessage '*no maps.json*'
    }

    It 'writes nothing with -WhatIf' {
        Export-MapsReport -MapsPath $Maps -OutputPath (Join-Path $TestDrive 'elsewhere') -WhatIf
        Join-Path $TestDrive 'elsewhere' | Should -Not -Exist
    }
}
