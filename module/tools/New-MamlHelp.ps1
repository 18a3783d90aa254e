<#
.SYNOPSIS
    Writes MAML help for every cmdlet of the module from the C# XML documentation.
.DESCRIPTION
    The source of the help is the code: <summary> is the synopsis, <remarks> the
    description, <example> (<code> and <para>) the examples, and each parameter's
    <summary> its help. Syntax, positions, pipeline input and aliases come from the
    cmdlet metadata PowerShell itself builds: INPUTS from the parameters that take pipeline
    input, the accepted values of enum and ValidateSet parameters, RELATED LINKS from the
    cmdlets of the same noun and those the help names. The about_*.help.txt topics of
    module/ are copied beside it. A cmdlet or parameter without help fails the build.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $XmlDocPath
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'WorkflowAutomation.psd1')
$doc = [xml](Get-Content $XmlDocPath -Raw)
$members = @{}
foreach ($member in $doc.doc.members.member) { $members[$member.GetAttribute('name')] = $member }

$common = [System.Management.Automation.Internal.CommonParameters].GetProperties().Name +
    [System.Management.Automation.Internal.ShouldProcessParameters].GetProperties().Name
$missing = [System.Collections.Generic.List[string]]::new()

function Get-Text($node) {
    if ($null -eq $node) { return '' }
    # Collapse the indentation of XML comments into plain paragraphs.
    $text = $node -is [string] ? $node : $node.InnerText
    (($text -split "`n") | ForEach-Object Trim | Where-Object { $_ }) -join ' '
}

$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
$helpFolder = New-Item -ItemType Directory -Force (Join-Path $ModulePath 'en-US')
$writer = [System.Xml.XmlWriter]::Create((Join-Path $helpFolder 'WorkflowAutomation.PowerShell.dll-Help.xml'), $settings)
$maml = 'http://schemas.microsoft.com/maml/2004/10'
$command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
function Para([string] $text) { $writer.WriteStartElement('maml', 'para', $maml); $writer.WriteString($text); $writer.WriteEndElement() }

$allCmdlets = @(Get-Command -Module WorkflowAutomation -CommandType Cmdlet | Sort-Object Name)

function Get-AcceptedValues($parameter) {
    # Enum values (statuses, kinds) and ValidateSet names, so help says what may be typed.
    $type = $parameter.ParameterType
    if ($type.IsArray) { $type = $type.GetElementType() }
    $type = [Nullable]::GetUnderlyingType($type) ?? $type
    if ($type.IsEnum) { return [enum]::GetNames($type) }
    $set = $parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
    if ($set) { return $set.ValidValues }
}

function Write-InputTypes($cmd) {
    $writer.WriteStartElement('command', 'inputTypes', $command)
    $byValue = $cmd.Parameters.Values | Where-Object Name -NotIn $common | Where-Object { $_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.ValueFromPipeline } }
    $byName = $cmd.Parameters.Values | Where-Object Name -NotIn $common | Where-Object { $_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.ValueFromPipelineByPropertyName } }
    $inputs = @(foreach ($parameter in $byValue) { [pscustomobject]@{ Type = $parameter.ParameterType.FullName; Text = "Bound to -$($parameter.Name)." } })
    if ($byName) {
        $inputs += [pscustomobject]@{ Type = 'System.Management.Automation.PSObject'; Text = "Any object with the properties $(($byName.Name | Sort-Object -Unique | ForEach-Object { $_ }) -join ', ') (or their aliases), bound by property name." }
    }
    if (-not $inputs) { $inputs = @([pscustomobject]@{ Type = 'None'; Text = "You cannot pipe objects to $($cmd.Name)." }) }
    foreach ($item in $inputs) {
        $writer.WriteStartElement('command', 'inputType', $command)
        $writer.WriteStartElement('dev', 'type', $dev); $writer.WriteElementString('name', $maml, $item.Type); $writer.WriteEndElement()
        $writer.WriteStartElement('maml', 'description', $maml); Para $item.Text; $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()
}

function Write-RelatedLinks($cmd, [string] $helpText) {
    # The cmdlets of the same noun, those the help text names, then the overview topic.
    $related = $allCmdlets | Where-Object { $_.Name -ne $cmd.Name -and ($_.Noun -eq $cmd.Noun -or $helpText -match "\b$([regex]::Escape($_.Name))\b") }
    $writer.WriteStartElement('maml', 'relatedLinks', $maml)
    foreach ($name in @($related.Name) + 'about_WorkflowAutomation') {
        $writer.WriteStartElement('maml', 'navigationLink', $maml)
        $writer.WriteElementString('linkText', $maml, $name)
        $writer.WriteElementString('uri', $maml, '')
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()
}

$writer.WriteStartElement('helpItems', 'http://msh')
$writer.WriteAttributeString('schema', 'maml')
foreach ($cmd in $allCmdlets) {
    $typeName = $cmd.ImplementingType.FullName
    $typeDoc = $members["T:$typeName"]
    $synopsis = Get-Text $typeDoc.summary
    if (-not $synopsis) { $missing.Add("$($cmd.Name): no <summary>") }
    if (-not $typeDoc -or -not $typeDoc.SelectNodes('example').Count) { $missing.Add("$($cmd.Name): no <example>") }

    $writer.WriteStartElement('command', 'command', $command)
    $writer.WriteAttributeString('xmlns', 'maml', $null, $maml)
    $writer.WriteAttributeString('xmlns', 'dev', $null, $dev)
    $writer.WriteStartElement('command', 'details', $command)
    $writer.WriteElementString('name', $command, $cmd.Name)
    $writer.WriteElementString('verb', $command, $cmd.Verb)
    $writer.WriteElementString('noun', $command, $cmd.Noun)
    $writer.WriteStartElement('maml', 'description', $maml); Para $synopsis; $writer.WriteEndElement()
    $writer.WriteEndElement()
    $writer.WriteStartElement('maml', 'description', $maml)
    Para ((Get-Text $typeDoc.remarks) ?? $synopsis)
    $writer.WriteEndElement()

    $parameters = $cmd.Parameters.Values | Where-Object Name -NotIn $common
    $helpOf = @{}
    foreach ($parameter in $parameters) {
        # A parameter declared on a shared base class is documented there.
        $declaring = $cmd.ImplementingType.GetProperty($parameter.Name).DeclaringType.FullName
        $text = Get-Text $members["P:$declaring.$($parameter.Name)"].summary
        if (-not $text) { $missing.Add("$($cmd.Name) -$($parameter.Name): no <summary>") }
        if ($values = Get-AcceptedValues $parameter) { $text += " Accepted values: $($values -join ', ')." }
        $helpOf[$parameter.Name] = $text
    }
    function Write-Parameter($parameter, $set) {
        # A parameter of some sets only is described by the first of them in the parameter list.
        $attribute = $parameter.ParameterSets[$set] ?? $parameter.ParameterSets['__AllParameterSets'] ?? @($parameter.ParameterSets.Values)[0]
        $pipeline = @()
        if ($attribute.ValueFromPipeline) { $pipeline += 'ByValue' }
        if ($attribute.ValueFromPipelineByPropertyName) { $pipeline += 'ByPropertyName' }
        $writer.WriteStartElement('command', 'parameter', $command)
        $writer.WriteAttributeString('required', "$($attribute.IsMandatory)".ToLower())
        $writer.WriteAttributeString('globbing', "$([bool]($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }))".ToLower())
        $writer.WriteAttributeString('pipelineInput', $(if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }))
        $writer.WriteAttributeString('position', $(if ($attribute.Position -ge 0) { "$($attribute.Position)" } else { 'named' }))
        $writer.WriteAttributeString('aliases', $(if ($parameter.Aliases.Count) { $parameter.Aliases -join ', ' } else { 'none' }))
        $writer.WriteElementString('name', $maml, $parameter.Name)
        $writer.WriteStartElement('maml', 'description', $maml); Para $helpOf[$parameter.Name]; $writer.WriteEndElement()
        if ($parameter.ParameterType -ne [switch]) {
            $writer.WriteStartElement('command', 'parameterValue', $command)
            $writer.WriteAttributeString('required', 'true')
            $writer.WriteString($parameter.ParameterType.Name)
            $writer.WriteEndElement()
        }
        $writer.WriteStartElement('dev', 'type', $dev); $writer.WriteElementString('name', $maml, $parameter.ParameterType.FullName); $writer.WriteEndElement()
        $writer.WriteEndElement()
    }

    $writer.WriteStartElement('command', 'syntax', $command)
    foreach ($set in $cmd.ParameterSets) {
        $writer.WriteStartElement('command', 'syntaxItem', $command)
        $writer.WriteElementString('name', $maml, $cmd.Name)
        foreach ($p in $set.Parameters | Where-Object Name -NotIn $common) { Write-Parameter $cmd.Parameters[$p.Name] $set.Name }
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()
    $writer.WriteStartElement('command', 'parameters', $command)
    foreach ($parameter in $parameters) { Write-Parameter $parameter '__AllParameterSets' }
    $writer.WriteEndElement()

    Write-InputTypes $cmd

    $writer.WriteStartElement('command', 'returnValues', $command)
    foreach ($type in $cmd.OutputType) {
        $writer.WriteStartElement('command', 'returnValue', $command)
        $writer.WriteStartElement('dev', 'type', $dev); $writer.WriteElementString('name', $maml, $type.Name); $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'examples', $command)
    $number = 0
    foreach ($example in @($typeDoc.SelectNodes('example'))) {
        $number++
        $writer.WriteStartElement('command', 'example', $command)
        $writer.WriteElementString('title', $maml, "-------------------------- Example $number --------------------------")
        $writer.WriteElementString('code', $dev, (Get-Text $example.code))
        $writer.WriteStartElement('dev', 'remarks', $dev); Para (Get-Text $example.para); $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()
    Write-RelatedLinks $cmd ($typeDoc.InnerText)
    $writer.WriteEndElement()
}
$writer.WriteEndElement()
$writer.Dispose()
Copy-Item (Join-Path $PSScriptRoot '../about_*.help.txt') $helpFolder
Remove-Item $XmlDocPath

if ($missing.Count) {
    Write-Error ("Help is missing (add XML documentation to the cmdlet source):`n  " + ($missing -join "`n  "))
    exit 1
}
