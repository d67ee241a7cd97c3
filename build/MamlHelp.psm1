# Turns PlatyPS-style markdown (docs/help/<Verb-Noun>.md) into MAML, the XML that Get-Help reads for binary
# cmdlets (en-US/ClinicaDL.PowerShell.dll-Help.xml). PlatyPS is not served here, so this is our own small compiler.

Set-StrictMode -Version Latest

# Splits a markdown document into its '## ' sections (name -> lines).
function Get-MarkdownSection([string[]] $Lines) {
    $sections = [ordered]@{}
    $current = $null
    $inCode = $false
    foreach ($line in $Lines) {
        if ($line.StartsWith('```')) { $inCode = -not $inCode }
        if (-not $inCode -and $line -match '^## (.+)$') {
            $current = $Matches[1].Trim()
            $sections[$current] = [System.Collections.Generic.List[string]]::new()
            continue
        }
        if ($current) { $sections[$current].Add($line) }
    }
    return $sections
}

# Splits a section into its '### ' subsections, in order (title -> lines).
function Get-MarkdownSubsection([System.Collections.Generic.List[string]] $Lines) {
    $items = [System.Collections.Generic.List[object]]::new()
    $current = $null
    $inCode = $false
    foreach ($line in $Lines) {
        if ($line.StartsWith('```')) { $inCode = -not $inCode }
        if (-not $inCode -and $line -match '^### (.+)$') {
            $current = [pscustomobject]@{ Title = $Matches[1].Trim(); Lines = [System.Collections.Generic.List[string]]::new() }
            $items.Add($current)
            continue
        }
        if ($current) { $current.Lines.Add($line) }
    }
    return $items
}

# Paragraphs of plain text (code fences kept out), as MAML para elements. Prose lines are joined; table rows and
# list items keep their own lines, which Get-Help shows as they are.
function Get-Paragraph([System.Collections.Generic.IEnumerable[string]] $Lines) {
    # HTML comments (such as the runnable marker of examples) are for tools, not readers.
    $text = ($Lines | Where-Object { $_ -notmatch '^```' -and $_ -notmatch '^\s*<!--.*-->\s*$' }) -join "`n"
    return @($text.Trim() -split "\n\s*\n" | Where-Object { $_.Trim() } | ForEach-Object {
            $paragraph = ''
            foreach ($line in $_ -split "\n") {
                $trimmed = $line.Trim()
                $separator = if (-not $paragraph) { '' } elseif ($trimmed -match '^(\||- |\* )') { "`n" } else { ' ' }
                $paragraph += $separator + $trimmed
            }
            $paragraph
        })
}

function Get-Fence([System.Collections.Generic.IEnumerable[string]] $Lines, [string] $Language) {
    $inside = $false
    $code = [System.Collections.Generic.List[string]]::new()
    $rest = [System.Collections.Generic.List[string]]::new()
    $done = $false
    foreach ($line in $Lines) {
        if (-not $done -and $line -match "^``````$Language") { $inside = $true; continue }
        if ($inside -and $line -eq '```') { $inside = $false; $done = $true; continue }
        if ($inside) { $code.Add($line) } else { $rest.Add($line) }
    }
    return [pscustomobject]@{ Code = $code; Rest = $rest }
}

function Add-Element([System.Xml.XmlElement] $Parent, [string] $Name, [string] $Text = $null) {
    $prefix, $local = $Name -split ':'
    $namespace = @{ maml = 'http://schemas.microsoft.com/maml/2004/10'; command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'; dev = 'http://schemas.microsoft.com/maml/dev/2004/10' }[$prefix]
    $element = $Parent.OwnerDocument.CreateElement($prefix, $local, $namespace)
    if ($null -ne $Text) { $element.InnerText = $Text }
    [void]$Parent.AppendChild($element)
    return $element
}

function Add-Description([System.Xml.XmlElement] $Parent, [string[]] $Paragraphs) {
    $description = Add-Element $Parent 'maml:description'
    foreach ($paragraph in $Paragraphs) { [void](Add-Element $description 'maml:para' $paragraph) }
}

# Reads one help markdown file into the pieces MAML needs.
function Read-HelpMarkdown([string] $Path) {
    $lines = Get-Content -LiteralPath $Path
    $name = ($lines | Where-Object { $_ -match '^# ' } | Select-Object -First 1) -replace '^# ', ''
    $sections = Get-MarkdownSection $lines
    foreach ($required in 'SYNOPSIS', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS') {
        if (-not $sections.Contains($required)) { throw "'$Path' has no '## $required' section." }
    }
    $parameters = foreach ($item in Get-MarkdownSubsection $sections['PARAMETERS']) {
        if ($item.Title -eq 'CommonParameters') { continue }
        $split = Get-Fence $item.Lines 'yaml'
        $yaml = @{}
        foreach ($line in $split.Code) { if ($line -match '^([^:]+):\s*(.*)$') { $yaml[$Matches[1].Trim()] = $Matches[2].Trim() } }
        [pscustomobject]@{
            Name        = $item.Title.TrimStart('-')
            Description = Get-Paragraph $split.Rest
            Type        = $yaml['Type']
            Sets        = $yaml['Parameter Sets']
            Aliases     = $yaml['Aliases']
            Required    = $yaml['Required'] -eq 'True'
            Position    = if ($yaml['Position']) { $yaml['Position'] } else { 'Named' }
            Default     = $yaml['Default value']
            Pipeline    = if ($yaml['Accept pipeline input']) { $yaml['Accept pipeline input'] } else { 'False' }
            Wildcards   = $yaml['Accept wildcard characters'] -eq 'True'
        }
    }
    $examples = foreach ($item in Get-MarkdownSubsection $sections['EXAMPLES']) {
        $split = Get-Fence $item.Lines 'powershell'
        [pscustomobject]@{ Title = $item.Title; Code = ($split.Code -join "`n"); Remarks = Get-Paragraph $split.Rest }
    }
    $types = { param($section) if ($sections.Contains($section)) { @(Get-MarkdownSubsection $sections[$section] | ForEach-Object { [pscustomobject]@{ Name = $_.Title; Description = Get-Paragraph $_.Lines } }) } else { @() } }
    return [pscustomobject]@{
        Name        = $name
        Synopsis    = (Get-Paragraph $sections['SYNOPSIS']) -join ' '
        Description = Get-Paragraph $sections['DESCRIPTION']
        Examples    = @($examples)
        Parameters  = @($parameters)
        Inputs      = & $types 'INPUTS'
        Outputs     = & $types 'OUTPUTS'
        Notes       = if ($sections.Contains('NOTES')) { Get-Paragraph $sections['NOTES'] } else { @() }
        Links       = if ($sections.Contains('RELATED LINKS')) { @($sections['RELATED LINKS'] | Where-Object { $_.Trim() } | ForEach-Object { $_.Trim() }) } else { @() }
    }
}

function Add-Command([System.Xml.XmlElement] $Root, $Help) {
    $command = Add-Element $Root 'command:command'
    $details = Add-Element $command 'command:details'
    [void](Add-Element $details 'command:name' $Help.Name)
    $verb, $noun = $Help.Name -split '-', 2
    [void](Add-Element $details 'command:verb' $verb)
    [void](Add-Element $details 'command:noun' $noun)
    Add-Description $details @($Help.Synopsis)
    Add-Description $command $Help.Description
    $syntax = Add-Element $command 'command:syntax'
    $sets = @($Help.Parameters | ForEach-Object { $_.Sets -split ',\s*' } | Where-Object { $_ -and $_ -ne '(All)' } | Select-Object -Unique)
    if ($sets.Count -eq 0) { $sets = @('(All)') }
    foreach ($set in $sets) {
        $item = Add-Element $syntax 'command:syntaxItem'
        [void](Add-Element $item 'maml:name' $Help.Name)
        foreach ($parameter in $Help.Parameters | Where-Object { $_.Sets -match '\(All\)' -or ($_.Sets -split ',\s*') -contains $set }) {
            $element = Add-Element $item 'command:parameter'
            $element.SetAttribute('required', "$($parameter.Required)".ToLowerInvariant())
            $element.SetAttribute('position', $parameter.Position)
            [void](Add-Element $element 'maml:name' $parameter.Name)
            if ($parameter.Type -ne 'SwitchParameter') { [void](Add-Element $element 'command:parameterValue' $parameter.Type) }
        }
    }
    $list = Add-Element $command 'command:parameters'
    foreach ($parameter in $Help.Parameters) {
        $element = Add-Element $list 'command:parameter'
        $element.SetAttribute('required', "$($parameter.Required)".ToLowerInvariant())
        $element.SetAttribute('globbing', "$($parameter.Wildcards)".ToLowerInvariant())
        $element.SetAttribute('pipelineInput', $parameter.Pipeline)
        $element.SetAttribute('position', $parameter.Position)
        if ($parameter.Aliases) { $element.SetAttribute('aliases', $parameter.Aliases) }
        [void](Add-Element $element 'maml:name' $parameter.Name)
        Add-Description $element $parameter.Description
        [void](Add-Element $element 'command:parameterValue' $parameter.Type)
        $type = Add-Element $element 'dev:type'
        [void](Add-Element $type 'maml:name' $parameter.Type)
        [void](Add-Element $element 'dev:defaultValue' $(if ($parameter.Default) { $parameter.Default } else { 'None' }))
    }
    foreach ($kind in @(@('command:inputTypes', 'command:inputType', $Help.Inputs), @('command:returnValues', 'command:returnValue', $Help.Outputs))) {
        $group = Add-Element $command $kind[0]
        foreach ($entry in $kind[2]) {
            $typeElement = Add-Element $group $kind[1]
            $type = Add-Element $typeElement 'dev:type'
            [void](Add-Element $type 'maml:name' $entry.Name)
            Add-Description $typeElement $entry.Description
        }
    }
    $alerts = Add-Element $command 'maml:alertSet'
    foreach ($note in $Help.Notes) { $alert = Add-Element $alerts 'maml:alert'; [void](Add-Element $alert 'maml:para' $note) }
    $exampleList = Add-Element $command 'command:examples'
    foreach ($example in $Help.Examples) {
        $element = Add-Element $exampleList 'command:example'
        [void](Add-Element $element 'maml:title' "-------------------------- $($example.Title) --------------------------")
        [void](Add-Element $element 'dev:code' $example.Code)
        $remarks = Add-Element $element 'dev:remarks'
        foreach ($paragraph in $example.Remarks) { [void](Add-Element $remarks 'maml:para' $paragraph) }
    }
    $links = Add-Element $command 'command:relatedLinks'
    foreach ($link in $Help.Links) {
        $navigation = Add-Element $links 'maml:navigationLink'
        [void](Add-Element $navigation 'maml:linkText' $link)
        [void](Add-Element $navigation 'maml:uri' '')
    }
}

<#
.SYNOPSIS
    Compiles every <Verb-Noun>.md of a folder into one MAML help file.
#>
function ConvertTo-MamlHelp {
    param([Parameter(Mandatory)] [string] $MarkdownFolder, [Parameter(Mandatory)] [string] $OutputPath)
    $document = [System.Xml.XmlDocument]::new()
    [void]$document.AppendChild($document.CreateXmlDeclaration('1.0', 'utf-8', $null))
    $root = $document.CreateElement('helpItems', 'http://msh')
    $root.SetAttribute('schema', 'maml')
    [void]$document.AppendChild($root)
    foreach ($file in Get-ChildItem -LiteralPath $MarkdownFolder -Filter '*-*.md' | Sort-Object Name) {
        Add-Command $root (Read-HelpMarkdown $file.FullName)
    }
    $document.Save($OutputPath)
}

Export-ModuleMember -Function ConvertTo-MamlHelp, Read-HelpMarkdown
