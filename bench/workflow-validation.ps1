<#
.SYNOPSIS
    Validation throughput: Test-WorkflowDefinition over 200 generated workflow files (20
    steps each, with inputs, expressions, conditions and dependencies) beside the floor any
    validator pays, a bare YamlDotNet parse of the same files in the same process; then a
    5,000-step chain (dependency and cycle checks at scale). Prints each figure and the ratio.
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'WorkflowAutomation.psd1')
Import-Module (Join-Path $PSScriptRoot 'lib/BenchFigures.psm1')
$root = Join-Path $PSScriptRoot '..'

# The peer: YamlDotNet from NuGet (restored by tests/Pester/PesterRestore.proj), loaded
# beside the module's own isolated copy.
& dotnet restore (Join-Path $root 'tests/Pester/PesterRestore.proj') --nologo -v quiet | Out-Null
$packages = $env:NUGET_PACKAGES
if (-not $packages) { $packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim() }
Add-Type -Path (Join-Path $packages 'yamldotnet/16.3.0/lib/net8.0/YamlDotNet.dll')

$folder = Join-Path $ModulePath '../bench-validation'
Remove-Item $folder -Recurse -Force -ErrorAction Ignore
New-Item -ItemType Directory $folder | Out-Null

function New-Workflow([string] $Name, [int] $Steps) {
    $lines = @("name: $Name", 'execution_mode: parallel', 'max_parallel: 4',
        'inputs:', "  version: { type: string, default: '1.0' }", '  count: { type: number, default: 3 }',
        'env: { STAGE: prod }', "schedule: '*/15 * * * *'", 'steps:')
    for ($i = 1; $i -le $Steps; $i++) {
        $lines += "  - name: step$i", "    command: echo `${{ inputs.version }} `${{ inputs.count }} $i", '    shell: sh', '    timeout: 60'
        if ($i -gt 1) { $lines += "    depends_on: [step$($i - 1)]", "    condition: steps.step$($i - 1).outcome == 'success' && success()" }
        if ($i % 5 -eq 0) { $lines += '    retry_count: 2', '    retry_delay: 5s', '    backoff: linear' }
    }
    $lines -join "`n"
}

foreach ($n in 1..200) { Set-Content (Join-Path $folder "wf$n.yaml") (New-Workflow "wf$n" 20) }
$files = Get-ChildItem $folder -Filter *.yaml | ForEach-Object FullName

function Measure-Median([int] $Times, [scriptblock] $Action) {
    $samples = foreach ($i in 1..$Times) { (Measure-Command $Action).TotalMilliseconds }
    ($samples | Sort-Object)[[int][math]::Floor($Times / 2)]
}

$parse = { foreach ($file in $files) { [YamlDotNet.RepresentationModel.YamlStream]::new().Load([IO.StringReader]::new([IO.File]::ReadAllText($file))) } }
$validate = { if (Test-WorkflowDefinition -LiteralPath $files | Where-Object { -not $_ }) { throw 'A generated workflow is invalid.' } }
& $parse; & $validate   # warm-up: JIT, regexes, time zones

$parseMs = Measure-Median 7 $parse
$validateMs = Measure-Median 7 $validate
Add-BenchFigure -Bench workflow-validation -Measure '200 files x 20 steps, Test-WorkflowDefinition' -Figure ('{0:n0} ms, {1:n2}x the bare YamlDotNet parse' -f $validateMs, ($validateMs / $parseMs))
"200 files x 20 steps: YamlDotNet parse only {0:n0} ms, Test-WorkflowDefinition {1:n0} ms ({2:n0} files/s); ratio {3:n2}x the bare parse" -f `
    $parseMs, $validateMs, (200 / ($validateMs / 1000)), ($validateMs / $parseMs)

$big = Join-Path $folder 'chain.yaml'
Set-Content $big (New-Workflow 'chain' 5000)
$bigMs = Measure-Median 3 { if (-not (Test-WorkflowDefinition -LiteralPath $big)) { throw 'The chain is invalid.' } }
$bigParseMs = Measure-Median 3 { [YamlDotNet.RepresentationModel.YamlStream]::new().Load([IO.StringReader]::new([IO.File]::ReadAllText($big))) }
Add-BenchFigure -Bench workflow-validation -Measure '5,000-step chain, Test-WorkflowDefinition' -Figure ('{0:n0} ms, {1:n2}x the bare YamlDotNet parse' -f $bigMs, ($bigMs / $bigParseMs))
"5,000-step chain: YamlDotNet parse only {0:n0} ms, Test-WorkflowDefinition {1:n0} ms; ratio {2:n2}x" -f $bigParseMs, $bigMs, ($bigMs / $bigParseMs)
