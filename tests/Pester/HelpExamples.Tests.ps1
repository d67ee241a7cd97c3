BeforeDiscovery {
    # The examples marked <!-- runnable --> in docs/help: their PS> lines (with >> continuations) as one script.
    $examples = foreach ($page in Get-ChildItem (Join-Path $PSScriptRoot '../../docs/help') -Filter '*-*.md') {
        $lines = Get-Content -LiteralPath $page.FullName
        for ($i = 0; $i -lt $lines.Count; $i++) {
            if ($lines[$i] -notmatch '^### (Example \d+: .+)$') { continue }
            $title = $Matches[1]
            if ($lines[$i + 1] -notmatch '<!-- runnable -->') { continue }
            $code = [System.Collections.Generic.List[string]]::new()
            for ($j = $i + 2; $j -lt $lines.Count -and $lines[$j] -ne '```' -or $j -eq $i + 2; $j++) {
                if ($lines[$j] -match '^PS> (.*)$') { $code.Add($Matches[1]) }
                elseif ($lines[$j] -match '^>> (.*)$') { $code[$code.Count - 1] += "`n" + $Matches[1] }
            }
            @{ Command = $page.BaseName; Title = $title; Code = ($code -join "`n") }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force
    # The study the examples assume: bids/, caps/, labels.tsv, split/ with split/2_fold/, and a MAPS with a test group,
    # trained one epoch on both splits with loss and BA. From TestHelpers' cache (Get-MapsResult's, Get-MapsInfo's and
    # other tests read the same), copied here since the examples write into the study. The seed matters: the
    # demographically balanced split of New-ClinicaDLSplit's example finds no draw on some other phantom ages.
    $copy = Get-TestStudy -ParticipantCount 12 -SessionCount 1 -VoxelSize 3 -Seed 4 -TestSize 4 -KFold 2 -CopyTo (Join-Path $TestDrive 'study')
    $script:Study = $copy.Path
    Get-TestMaps -Study $copy -Training @{ Epochs = 1; BatchSize = 4; BootstrapResamples = 100; SelectionMetrics = 'loss', 'BA' } -Prediction @{ DataGroup = 'test' } `
        -CopyTo (Join-Path $Study 'maps') | Out-Null
}

Describe 'Help examples' {
    Context '<Command>' -ForEach $examples {
        It 'runs <Title> against a synthetic study' {
            Push-Location $Study
            try {
                $ErrorActionPreference = 'Stop'
                { Invoke-Expression $Code | Out-Null } | Should -Not -Throw
            }
            finally {
                Pop-Location
            }
        }
    }
}
